using AgentFrameworkAgent;
using SkMemory.Samples;

// A ChatClientAgent that remembers a user across two sessions. Offline (scripted model) unless SKMEMORY_CHAT_MODEL is set.
return await RememberingAgentSample.RunAsync(SampleSettings.FromEnvironment(Environment.GetEnvironmentVariable), Console.Out).ConfigureAwait(false);
