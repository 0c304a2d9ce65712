using System.Globalization;

namespace SkMemory.Governance.Retention;

/// <summary>What a retention rule counts its days from: a time of the record, or a date in its metadata.</summary>
/// <param name="Kind">The kind of anchor.</param>
/// <param name="MetadataKey">The metadata key, for <see cref="MemoryRetentionAnchorKind.Metadata"/>.</param>
public sealed record MemoryRetentionAnchor(MemoryRetentionAnchorKind Kind, string? MetadataKey = null)
{
    /// <summary>The prefix of a metadata anchor in a policy file.</summary>
    public const string MetadataPrefix = "metadata:";

    /// <summary>Gets the anchor at the last change, the default.</summary>
    public static MemoryRetentionAnchor LastTouch { get; } = new(MemoryRetentionAnchorKind.LastTouch);

    /// <summary>Gets the anchor names a policy file may use, for error messages.</summary>
    public static string Names => "last_touch, created, valid_from, valid_to or metadata:<key>";

    /// <summary>Parses an anchor as a policy file writes it.</summary>
    /// <param name="text">The text (<c>last_touch</c>, <c>metadata:shipped_at</c>...).</param>
    /// <param name="anchor">The anchor.</param>
    /// <returns><see langword="true"/> if the text names an anchor.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MemoryRetentionAnchor? anchor)
    {
        anchor = text switch
        {
            "last_touch" => LastTouch,
            "created" => new(MemoryRetentionAnchorKind.Created),
            "valid_from" => new(MemoryRetentionAnchorKind.ValidFrom),
            "valid_to" => new(MemoryRetentionAnchorKind.ValidTo),
            not null when text.StartsWith(MetadataPrefix, StringComparison.Ordinal) && text.Length > MetadataPrefix.Length && !text.Any(char.IsWhiteSpace)
                => new(MemoryRetentionAnchorKind.Metadata, text[MetadataPrefix.Length..]),
            _ => null,
        };
        return anchor is not null;
    }

    /// <summary>Gets the anchor's time for a memory.</summary>
    /// <param name="record">The memory.</param>
    /// <param name="time">The time, when the memory has one.</param>
    /// <returns><see langword="false"/> when a metadata date is present but is not a date (the caller reports it).</returns>
    public bool TryGetTime(MemoryRecord record, out DateTimeOffset? time)
    {
        ArgumentNullException.ThrowIfNull(record);
        time = Kind switch
        {
            MemoryRetentionAnchorKind.LastTouch => record.UpdatedAt,
            MemoryRetentionAnchorKind.Created => record.CreatedAt,
            MemoryRetentionAnchorKind.ValidFrom => record.ValidFrom,
            MemoryRetentionAnchorKind.ValidTo => record.ValidTo,
            _ => null,
        };
        if (Kind != MemoryRetentionAnchorKind.Metadata || !record.Metadata.TryGetValue(MetadataKey!, out var value))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        MemoryRetentionAnchorKind.LastTouch => "last_touch",
        MemoryRetentionAnchorKind.Created => "created",
        MemoryRetentionAnchorKind.ValidFrom => "valid_from",
        MemoryRetentionAnchorKind.ValidTo => "valid_to",
        _ => MetadataPrefix + MetadataKey,
    };
}
