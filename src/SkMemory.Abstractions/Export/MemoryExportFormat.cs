namespace SkMemory;

/// <summary>Constants of the JSON Lines export format (see docs/schema.md).</summary>
public static class MemoryExportFormat
{
    /// <summary>The value of the header's <c>format</c> field.</summary>
    public const string Name = "skmemory-export";

    /// <summary>The export format version this library writes and reads.</summary>
    public const int Version = 1;
}
