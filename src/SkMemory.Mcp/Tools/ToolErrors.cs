using System.Text.Json;

namespace SkMemory.Mcp.Tools;

/// <summary>A tool call's arguments are invalid: answered with a JSON-RPC invalid-params error; nothing was written.</summary>
internal sealed class ToolArgumentException : Exception
{
    public ToolArgumentException(string message)
        : base(message)
    {
    }

    public ToolArgumentException()
    {
    }

    public ToolArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Maps the store's error codes to the snake_case codes tool errors carry.</summary>
internal static class ToolErrorCodes
{
    public static string Of(MemoryErrorCode code) => JsonNamingPolicy.SnakeCaseLower.ConvertName(code.ToString());
}
