namespace SkMemory.Inspector.Pages;

/// <summary>What the memory page shows: the record, its events, and its lineage when the caller may see it.</summary>
internal sealed record MemoryView(MemoryRecord Record, IReadOnlyList<MemoryEvent> History, MemoryLineage? Lineage, string? LineageRefusal, string? Notice);
