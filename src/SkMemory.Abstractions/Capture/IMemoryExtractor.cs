namespace SkMemory;

/// <summary>Turns messages, tool outputs and documents into candidate memories with evidence.</summary>
/// <remarks>
/// Implementations never return half-parsed output: a candidate is complete (type, subject, value, evidence) or it is a
/// rejection with a reason. They are thread-safe and write nothing; the capture pipeline gates and stores.
/// </remarks>
public interface IMemoryExtractor
{
    /// <summary>Gets the extractor's name, recorded on each candidate (<c>rules</c>, <c>chat:gpt-4o-mini</c>…).</summary>
    string Name { get; }

    /// <summary>Extracts candidate memories.</summary>
    /// <param name="request">What to read.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The candidates and the rejections.</returns>
    Task<MemoryExtractionResult> ExtractAsync(MemoryExtractionRequest request, CancellationToken cancellationToken = default);
}
