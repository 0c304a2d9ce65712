using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Wire;

/// <summary>A memory as either API returns it. Every field is nullable because the two APIs and their versions differ in what they send.</summary>
internal sealed class Mem0WireMemory
{
    public string? Id { get; set; }

    public string? Memory { get; set; }

    public string? Hash { get; set; }

    public string? UserId { get; set; }

    public string? AgentId { get; set; }

    public string? AppId { get; set; }

    public string? RunId { get; set; }

    // The Platform's v3 list and get name the run "session_id"; search names it "run_id".
    public string? SessionId { get; set; }

    // JsonNode rather than JsonObject: a server that stores a non-object must not fail the whole read.
    public JsonNode? Metadata { get; set; }

    public List<string>? Categories { get; set; }

    public double? Score { get; set; }

    // Timestamps are read as text and parsed leniently: Mem0 has sent "Z", "+00:00" and US/Pacific offsets over time.
    public string? CreatedAt { get; set; }

    public string? UpdatedAt { get; set; }

    public string? ExpirationDate { get; set; }
}
