using System.Text.Json;

namespace SkMemory;

/// <summary>The content of a memory: text the model reads, plus an optional structured JSON value.</summary>
/// <param name="Text">The memory as text.</param>
/// <param name="Structured">An optional structured value, validated against the memory type's JSON schema when it has one.</param>
public sealed record MemoryValue(string Text, JsonElement? Structured = null)
{
    /// <summary>Converts text to a value with no structured part.</summary>
    /// <param name="text">The text.</param>
    public static implicit operator MemoryValue(string text) => new(text);

    /// <summary>Creates a value from text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The value.</returns>
    public static MemoryValue FromString(string text) => new(text);

    /// <inheritdoc />
    public bool Equals(MemoryValue? other) =>
        other is not null
        && string.Equals(Text, other.Text, StringComparison.Ordinal)
        && string.Equals(Structured?.GetRawText(), other.Structured?.GetRawText(), StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Text, Structured?.GetRawText());
}
