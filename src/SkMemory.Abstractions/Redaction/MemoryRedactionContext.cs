namespace SkMemory;

/// <summary>Where a text being redacted comes from: the policy chooses actions per tenant and memory type.</summary>
public sealed record MemoryRedactionContext
{
    /// <summary>Gets the tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Gets the memory type, when the text belongs to a memory (null for a search query or a capture input).</summary>
    public string? Type { get; init; }

    /// <summary>Gets the subject, when known; kept with vault tokens.</summary>
    public string? Subject { get; init; }

    /// <summary>Gets the field the text is in (<c>value.text</c>, <c>messages[2].text</c>...), for block messages.</summary>
    public string? Field { get; init; }
}
