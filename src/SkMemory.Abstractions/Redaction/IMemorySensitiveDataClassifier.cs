namespace SkMemory;

/// <summary>
/// The pluggable stage after the pattern rules: finds what patterns miss (names, addresses, health data...), with a model
/// or a dictionary. Its findings go through the same policy as the rules'.
/// </summary>
/// <remarks>Implementations must be thread-safe; they see text before it is redacted, so they must not send it anywhere the
/// operator has not approved.</remarks>
public interface IMemorySensitiveDataClassifier
{
    /// <summary>Gets the classifier's id, used as <see cref="MemoryRedactionFinding.RuleId"/> prefix in reports.</summary>
    string Id { get; }

    /// <summary>Finds sensitive spans in <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="context">Where the text comes from.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The findings; spans must lie inside the text.</returns>
    ValueTask<IReadOnlyList<MemoryRedactionFinding>> ClassifyAsync(string text, MemoryRedactionContext context, CancellationToken cancellationToken = default);
}
