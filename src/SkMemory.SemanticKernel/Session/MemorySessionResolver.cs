using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace SkMemory.SemanticKernel;

/// <summary>Finds the session and the per-call switches where the application put them; never in the model's arguments.</summary>
internal static class MemorySessionResolver
{
    /// <summary>Resolves a session from kernel arguments, kernel data, then the accessor.</summary>
    public static MemorySession? Resolve(Kernel? kernel, KernelArguments? arguments, MemorySessionAccessor? accessor)
    {
        // A model's arguments are JSON strings or elements, never a MemorySession object: only application code can put one here.
        if (arguments is not null && arguments.TryGetValue(MemorySession.Key, out var fromArguments) && fromArguments is MemorySession a)
        {
            return a;
        }

        if (kernel is not null && kernel.Data.TryGetValue(MemorySession.Key, out var fromData) && fromData is MemorySession d)
        {
            return d;
        }

        return accessor?.Session;
    }

    /// <summary>
    /// Makes the session the accessor's for this call, so a governed store and the inner pipeline (function invocation)
    /// see it as the caller; the async-local value reverts when the call returns.
    /// </summary>
    /// <returns>The session.</returns>
    public static MemorySession? Enter(MemorySession? session, MemorySessionAccessor? accessor)
    {
        if (session is not null && accessor is not null && !ReferenceEquals(accessor.Session, session))
        {
            accessor.Session = session;
        }

        return session;
    }

    /// <summary>Resolves a session from chat options (directly, or through a kernel SK put there), then the accessor.</summary>
    public static MemorySession? Resolve(ChatOptions? options, MemorySessionAccessor? accessor)
    {
        if (options?.AdditionalProperties is { } properties)
        {
            if (properties.TryGetValue(MemorySession.Key, out var value) && value is MemorySession s)
            {
                return s;
            }

            foreach (var entry in properties)
            {
                if (entry.Value is Kernel kernel && kernel.Data.TryGetValue(MemorySession.Key, out var fromData) && fromData is MemorySession d)
                {
                    return d;
                }
            }
        }

        return accessor?.Session;
    }

    /// <summary>Whether a flag is set in chat options.</summary>
    public static bool IsSet(ChatOptions? options, string key) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(key, out var value) && IsTrue(value);

    /// <summary>Whether a flag is set in kernel arguments, execution settings or kernel data.</summary>
    public static bool IsSet(string key, KernelArguments? arguments = null, PromptExecutionSettings? settings = null, Kernel? kernel = null) =>
        (arguments is not null && arguments.TryGetValue(key, out var a) && IsTrue(a))
        || (settings?.ExtensionData is { } data && data.TryGetValue(key, out var s) && IsTrue(s))
        || (kernel is not null && kernel.Data.TryGetValue(key, out var k) && IsTrue(k));

    private static bool IsTrue(object? value) => value switch
    {
        bool b => b,
        string s => bool.TryParse(s, out var parsed) && parsed,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.String } e => bool.TryParse(e.GetString(), out var parsed) && parsed,
        _ => false,
    };
}
