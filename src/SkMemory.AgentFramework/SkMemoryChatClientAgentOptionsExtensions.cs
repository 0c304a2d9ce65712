using Microsoft.Agents.AI;

namespace SkMemory.AgentFramework;

/// <summary>Adds SkMemory to a <see cref="ChatClientAgent"/>'s options in one line.</summary>
public static class SkMemoryChatClientAgentOptionsExtensions
{
    /// <summary>
    /// Adds <paramref name="provider"/> to the agent's context providers (after any already there):
    /// <c>chatClient.AsAIAgent(new ChatClientAgentOptions { Name = "assistant" }.AddSkMemory(provider))</c>.
    /// </summary>
    /// <param name="options">The agent options.</param>
    /// <param name="provider">The memory provider.</param>
    /// <returns>The same options, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The options already hold this provider, or another with the same state key.</exception>
    public static ChatClientAgentOptions AddSkMemory(this ChatClientAgentOptions options, SkMemoryContextProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        var providers = options.AIContextProviders?.ToList() ?? [];
        var keys = provider.StateKeys;
        if (providers.Any(p => ReferenceEquals(p, provider) || p.StateKeys.Intersect(keys, StringComparer.Ordinal).Any()))
        {
            throw new InvalidOperationException($"The agent options already hold a context provider with state key '{string.Join("', '", keys)}'; give the second SkMemory provider its own SkMemoryContextProviderOptions.StateKey.");
        }

        providers.Add(provider);
        options.AIContextProviders = providers;
        return options;
    }
}
