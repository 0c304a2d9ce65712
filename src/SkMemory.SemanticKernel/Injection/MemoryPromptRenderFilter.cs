using System.Security;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using SkMemory.Context;

namespace SkMemory.SemanticKernel;

/// <summary>
/// Injects a memory packet into prompt functions (<c>InvokePromptAsync</c>, <c>CreateFunctionFromPrompt</c>): after the
/// prompt is rendered, the packet (quoted data with memory ids) is put in front of it, as a system message when the prompt
/// is a chat prompt. Records the injection. Use it when prompt functions run on an SK connector
/// (an <c>IChatCompletionService</c> without <see cref="MemoryInjectingChatClient"/> in front of it).
/// </summary>
/// <remarks>
/// The session comes from the arguments or the kernel's data (<see cref="MemorySession.Key"/>), or the accessor. The query
/// is the <c>input</c> argument when there is one, else the rendered prompt. <see cref="MemorySession.DisabledKey"/> in
/// the arguments, execution settings or kernel data turns it off. Do not combine it with <see cref="MemoryInjectingChatClient"/>
/// on the same chat client, or the packet is injected twice.
/// </remarks>
public sealed class MemoryPromptRenderFilter : IPromptRenderFilter
{
    /// <summary>The argument read as the query when present.</summary>
    public const string InputArgument = "input";

    private const int MaxQueryLength = 2000;

    private readonly MemoryInjector _injector;
    private readonly MemorySessionAccessor? _sessions;

    /// <summary>Initializes a new instance of the <see cref="MemoryPromptRenderFilter"/> class.</summary>
    /// <param name="context">The provider that searches and packs memories.</param>
    /// <param name="sessions">The session accessor, or null.</param>
    /// <param name="loggerFactory">The logger factory, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    public MemoryPromptRenderFilter(MemoryContextProvider context, MemorySessionAccessor? sessions = null, ILoggerFactory? loggerFactory = null)
    {
        _injector = new MemoryInjector(context, null, null, loggerFactory, typeof(MemoryPromptRenderFilter).FullName!);
        _sessions = sessions;
    }

    /// <inheritdoc />
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context).ConfigureAwait(false);
        if (context.RenderedPrompt is not { Length: > 0 } prompt
            || MemorySessionResolver.IsSet(MemorySession.DisabledKey, context.Arguments, context.ExecutionSettings, context.Kernel)
            || MemorySessionResolver.Resolve(context.Kernel, context.Arguments, _sessions) is not { } session)
        {
            return;
        }

        var query = context.Arguments.TryGetValue(InputArgument, out var input) && input?.ToString() is { Length: > 0 } text ? text : prompt;
        if (query.Length > MaxQueryLength)
        {
            query = query[^MaxQueryLength..];
        }

        var memory = await _injector.GetAsync(session, query, context.CancellationToken).ConfigureAwait(false);
        if (memory is null)
        {
            return;
        }

        // A chat prompt is parsed as XML <message> elements: the packet goes in its own, escaped, system message.
        context.RenderedPrompt = prompt.Contains("<message role=", StringComparison.Ordinal)
            ? $"<message role=\"system\">{SecurityElement.Escape(memory.Text)}</message>\n{prompt}"
            : memory.Text + "\n\n" + prompt;
    }
}
