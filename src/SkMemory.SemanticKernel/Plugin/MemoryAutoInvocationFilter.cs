using Microsoft.SemanticKernel;

namespace SkMemory.SemanticKernel;

/// <summary>
/// Hands the tool call id and the user's latest message to the memory functions when SK's own connectors auto-invoke them
/// (on the <c>IChatClient</c> path, <c>FunctionInvokingChatClient.CurrentContext</c> already carries both). Register it in the
/// kernel's services as an <see cref="IAutoFunctionInvocationFilter"/>; <c>AddSkMemory</c> does.
/// </summary>
public sealed class MemoryAutoInvocationFilter : IAutoFunctionInvocationFilter
{
    private readonly MemorySessionAccessor? _sessions;

    /// <summary>Initializes a new instance of the <see cref="MemoryAutoInvocationFilter"/> class.</summary>
    /// <param name="sessions">The session accessor, used to derive stable message ids; or null.</param>
    public MemoryAutoInvocationFilter(MemorySessionAccessor? sessions = null) => _sessions = sessions;

    /// <inheritdoc />
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var session = MemorySessionResolver.Resolve(context.Kernel, context.Arguments, _sessions);
        MemoryToolCallEvidence.Current = MemoryToolCallEvidence.From(context, session?.Session);
        await next(context).ConfigureAwait(false);
    }
}
