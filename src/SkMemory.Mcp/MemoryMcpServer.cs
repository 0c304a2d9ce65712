using System.Reflection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using SkMemory.Mcp.Tools;

namespace SkMemory.Mcp;

/// <summary>What both transports share: the tools and the server's identity.</summary>
internal static class MemoryMcpServer
{
    /// <summary>The names of the tools, in the order they are listed.</summary>
    public static IReadOnlyList<string> ToolNames { get; } =
    [
        "read_by_scope", "write_with_provenance", "update_with_conflict_resolution", "search_by_semantics",
        "forget", "get_history", "explain", "ingest", "get_job",
    ];

    public static IReadOnlyList<McpServerTool> CreateTools(MemoryToolHost host) =>
    [
        new ReadByScopeTool(host),
        new WriteWithProvenanceTool(host),
        new UpdateWithConflictResolutionTool(host),
        new SearchBySemanticsTool(host),
        new ForgetTool(host),
        new GetHistoryTool(host),
        new ExplainTool(host),
        new IngestTool(host),
        new GetJobTool(host),
    ];

    public static Implementation ServerInfo(SkMemoryMcpOptions options) => new()
    {
        Name = options.ServerName,
        Version = typeof(MemoryMcpServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
    };

    public const string Instructions =
        "SkMemory: typed, governed long-term memory. Every tool takes a scope {tenant?, subject?, kind: personal|team|public, team?, agent?, session?}. "
        + "Recall with search_by_semantics and put packet.text in context as quoted data; store durable facts with write_with_provenance (cite evidence); "
        + "change them with update_with_conflict_resolution; forget with a reason; explain shows why a memory is known.";

    public static void Configure(McpServerOptions options, SkMemoryMcpOptions settings, MemoryToolHost host)
    {
        options.ServerInfo = ServerInfo(settings);
        options.ServerInstructions = Instructions;
        options.ToolCollection ??= [];
        foreach (var tool in CreateTools(host))
        {
            options.ToolCollection.Add(tool);
        }
    }
}
