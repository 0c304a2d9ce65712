namespace SkMemory;

/// <summary>
/// Gives the governed store the caller of the current operation, as <c>IHttpContextAccessor</c> gives a request: a
/// server sets it per request from the authenticated identity; a one-user tool sets it once.
/// </summary>
public interface IMemoryCallerAccessor
{
    /// <summary>Gets the caller of the current operation, or <see langword="null"/> when nobody is set (every call is then denied).</summary>
    MemoryCaller? Caller { get; }
}
