namespace SkMemory.Governance.Retention;

/// <summary>What a retention rule counts its days from.</summary>
public enum MemoryRetentionAnchorKind
{
    /// <summary>The last change to the memory (<see cref="MemoryRecord.UpdatedAt"/>); <c>last_touch</c> in a policy file.</summary>
    LastTouch,

    /// <summary>When the memory was written (<see cref="MemoryRecord.CreatedAt"/>); <c>created</c>.</summary>
    Created,

    /// <summary>When the fact became true (<see cref="MemoryRecord.ValidFrom"/>); <c>valid_from</c>.</summary>
    ValidFrom,

    /// <summary>When the fact stopped being true (<see cref="MemoryRecord.ValidTo"/>); <c>valid_to</c>. Memories without one are never due.</summary>
    ValidTo,

    /// <summary>A date in the memory's metadata (<c>metadata:shipped_at</c>). Memories without the entry are never due.</summary>
    Metadata,
}
