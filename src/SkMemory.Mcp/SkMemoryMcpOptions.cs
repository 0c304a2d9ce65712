namespace SkMemory.Mcp;

/// <summary>Options of SkMemory's MCP server, on both transports.</summary>
public sealed class SkMemoryMcpOptions
{
    /// <summary>Gets or sets the server name reported to clients.</summary>
    public string ServerName { get; set; } = "skmemory";

    /// <summary>Gets or sets the largest request (one JSON-RPC message) accepted, in bytes; larger ones are refused without being read.</summary>
    public int MaxRequestBytes { get; set; } = 1_048_576;

    /// <summary>Gets or sets the token budget of a memory packet when the call names none.</summary>
    public int DefaultTokenBudget { get; set; } = 1000;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ServerName))
        {
            throw new ArgumentException($"{nameof(ServerName)} must not be blank.", nameof(ServerName));
        }

        if (MaxRequestBytes is < 1024 or > 64 * 1024 * 1024)
        {
            throw new ArgumentException($"{nameof(MaxRequestBytes)} must be between 1 KiB and 64 MiB; it is {MaxRequestBytes}.", nameof(MaxRequestBytes));
        }

        if (DefaultTokenBudget is < 50 or > 100_000)
        {
            throw new ArgumentException($"{nameof(DefaultTokenBudget)} must be between 50 and 100000; it is {DefaultTokenBudget}.", nameof(DefaultTokenBudget));
        }
    }
}
