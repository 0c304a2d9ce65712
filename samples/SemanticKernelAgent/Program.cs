using SemanticKernelAgent;

// A Semantic Kernel agent that remembers a user across two sessions. Offline (scripted model) unless SKMEMORY_CHAT_MODEL is
// set; `--bench [calls]` measures the injection overhead per call instead.
return await SemanticKernelAgentSample.MainAsync(args, Environment.GetEnvironmentVariable, Console.Out).ConfigureAwait(false);
