using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>One stored memory, shared by the OSS and Platform views (OSS records have no app_id).</summary>
internal sealed class MemoryRecord
{
    public required Guid Id { get; init; }

    /// <summary>Gets the creation order (ties in scores and listing order).</summary>
    public required long Sequence { get; init; }

    public required string Text { get; set; }

    public string Hash => EmulatorJson.Md5(Text);

    public string? UserId { get; init; }

    public string? AgentId { get; init; }

    public string? AppId { get; init; }

    public string? RunId { get; init; }

    public string? Role { get; init; }

    /// <summary>Gets or sets the caller's metadata, kept as sent (null when none was sent).</summary>
    public JsonObject? Metadata { get; set; }

    public List<string> Categories { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets "YYYY-MM-DD" or null.</summary>
    public string? ExpirationDate { get; set; }

    public bool Immutable { get; init; }

    /// <summary>Gets the messages of the add that created it (Platform history "input").</summary>
    public JsonArray Input { get; init; } = [];

    public string? EntityId(string type) => type switch
    {
        "user" or "user_id" => UserId,
        "agent" or "agent_id" => AgentId,
        "app" or "app_id" => AppId,
        "run" or "run_id" or "session_id" => RunId,
        _ => null,
    };

    public bool IsExpired(DateOnly today) => EmulatorJson.TryDate(ExpirationDate, out var d) && d < today;
}
