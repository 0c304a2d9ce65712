namespace SkMemory.Packing;

/// <summary>Why a memory offered to the <see cref="MemoryPacketBuilder"/> is not in the packet.</summary>
public enum MemoryPacketDropReason
{
    /// <summary>Its line did not fit in what was left of the token budget (or the budget cannot hold the packet's frame).</summary>
    OverBudget,

    /// <summary>It says nearly the same as a memory already kept (pinned or higher ranked); see <see cref="MemoryPacketDrop.DuplicateOf"/>.</summary>
    NearDuplicate,

    /// <summary>It is not current: deleted, superseded, merged, expired or past its valid-to time.</summary>
    NotActive,
}
