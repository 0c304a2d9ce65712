namespace SkMemory;

/// <summary>One parsed line of an export after the header: an event, an object, or the end marker.</summary>
/// <param name="Line">The 1-based line number.</param>
/// <param name="Event">The event, for an event line.</param>
/// <param name="Record">The current object, for an object line.</param>
/// <param name="End">The totals, for the end line.</param>
public sealed record MemoryExportItem(long Line, MemoryEvent? Event, MemoryRecord? Record, MemoryExportEnd? End);

/// <summary>The totals on an export's last line; a file without it is truncated.</summary>
/// <param name="EventCount">How many event lines precede it.</param>
/// <param name="ObjectCount">How many object lines precede it.</param>
public sealed record MemoryExportEnd(long EventCount, long ObjectCount);

/// <summary>The first line of an export.</summary>
/// <param name="Format">Always <see cref="MemoryExportFormat.Name"/>.</param>
/// <param name="FormatVersion">The export format version.</param>
/// <param name="RecordSchemaVersion">The record schema version of the payloads.</param>
/// <param name="ExportedAt">When the export was made.</param>
/// <param name="Tenant">The tenant exported, or null for all.</param>
/// <param name="Producer">The program that wrote it.</param>
public sealed record MemoryExportHeader(string Format, int FormatVersion, int RecordSchemaVersion, DateTimeOffset ExportedAt, string? Tenant, string Producer);

