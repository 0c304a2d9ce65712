namespace SkMemory.Capture;

/// <summary>Options of the <see cref="MemoryCapturePipeline"/>.</summary>
public sealed class MemoryCaptureOptions
{
    /// <summary>Gets or sets the contamination gate's rules.</summary>
    public MemoryGateOptions Gate { get; set; } = new();

    /// <summary>
    /// Gets or sets who decides add, merge, supersede or no-op; the deterministic <see cref="RuleBasedMemoryConflictResolver"/>
    /// when null. Set a <see cref="ChatClientMemoryConflictResolver"/> to let a model decide.
    /// </summary>
    public IMemoryConflictResolver? Resolver { get; set; }

    /// <summary>Gets or sets who captured memories are written by; the <c>skmemory-capture</c> agent when null.</summary>
    public MemoryActor? Actor { get; set; }

    /// <summary>Gets or sets the memory types; the store's (through <see cref="IMemoryStore.GetService"/>) when null.</summary>
    public MemoryTypeRegistry? Types { get; set; }

    /// <summary>
    /// Gets or sets the redactor applied to every message, tool output and document before the job stores the input and
    /// before any extractor (or model) sees it; when null, the store's (a store built with <c>UseRedaction</c>), else none. A
    /// finding its policy blocks refuses the ingestion
    /// (<see cref="MemoryErrorCode.Blocked"/>) and no job is created.
    /// </summary>
    public SkMemory.Redaction.MemoryRedactor? Redactor { get; set; }

    /// <summary>Gets or sets the clock for job times.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
