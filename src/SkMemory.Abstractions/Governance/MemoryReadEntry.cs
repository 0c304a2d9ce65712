namespace SkMemory;

/// <summary>One memory read by one caller: a row of the read audit (<c>memory_reads</c>).</summary>
public sealed record MemoryReadEntry
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory read.</summary>
    public required Guid MemoryId { get; init; }

    /// <summary>Gets who read it.</summary>
    public required MemoryActor Reader { get; init; }

    /// <summary>Gets how: <c>get</c>, <c>read</c> (a listing), <c>search</c>, <c>history</c>, <c>export</c> or <c>inject</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the task the reader was doing, if it said.</summary>
    public string? Task { get; init; }

    /// <summary>Gets the retrieval score, for searches.</summary>
    public double? Score { get; init; }

    /// <summary>Gets a value indicating whether the memory was injected into a model call.</summary>
    public bool Injected { get; init; }

    /// <summary>Gets when.</summary>
    public required DateTimeOffset ReadAt { get; init; }
}
