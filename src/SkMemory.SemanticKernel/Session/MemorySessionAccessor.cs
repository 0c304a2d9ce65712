namespace SkMemory.SemanticKernel;

/// <summary>
/// Holds the current <see cref="MemorySession"/> for the async flow (like <c>IHttpContextAccessor</c>), with an optional
/// default; and serves the session's caller to the access policy, so that the governed store sees the same identity as
/// the memory functions and the injection middleware.
/// </summary>
/// <remarks>Setting <see cref="Session"/> affects the current async flow and the flows it starts, not its callers.</remarks>
public sealed class MemorySessionAccessor : IMemoryCallerAccessor
{
    private readonly AsyncLocal<MemorySession?> _current = new();

    /// <summary>Initializes a new instance of the <see cref="MemorySessionAccessor"/> class.</summary>
    /// <param name="defaultSession">The session when none is set for the flow (a single-user app), or null.</param>
    public MemorySessionAccessor(MemorySession? defaultSession = null) => DefaultSession = defaultSession;

    /// <summary>Gets or sets the session used when no session is set for the current flow.</summary>
    public MemorySession? DefaultSession { get; set; }

    /// <summary>Gets or sets the session of the current async flow (falls back to <see cref="DefaultSession"/>).</summary>
    public MemorySession? Session
    {
        get => _current.Value ?? DefaultSession;
        set => _current.Value = value;
    }

    /// <inheritdoc />
    public MemoryCaller? Caller => Session?.ToCaller();
}
