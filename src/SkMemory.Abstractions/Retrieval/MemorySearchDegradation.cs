namespace SkMemory;

/// <summary>The reasons a search result can carry in <see cref="MemorySearchResult.Degradation"/>.</summary>
public static class MemorySearchDegradation
{
    /// <summary>
    /// The embedding generator failed or timed out on the query, so a hybrid search ranked by full text alone (memories
    /// written meanwhile are kept and embedded once the generator works again).
    /// </summary>
    public const string EmbedderUnavailable = "embedder_unavailable";
}
