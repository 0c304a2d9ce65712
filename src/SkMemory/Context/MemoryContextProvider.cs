using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkMemory.Governance;
using SkMemory.Packing;

namespace SkMemory.Context;

/// <summary>
/// Recalls the memories for one model call: searches the subject's readable memories with the query, packs the best
/// within a hard token budget as quoted data with ids, and records what was injected. The one piece every integration
/// (Semantic Kernel middleware and filters, Agent Framework context provider) uses.
/// </summary>
/// <remarks>Thread-safe. Give it the governed store (access control outermost) so recall sees only what the caller may read.</remarks>
public sealed partial class MemoryContextProvider
{
    private readonly IMemoryStore _store;
    private readonly MemoryContextOptions _options;
    private readonly MemoryPacketBuilder _packets;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryContextProvider"/> class.</summary>
    /// <param name="store">The store to recall from.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MemoryContextProvider(IMemoryStore store, MemoryContextOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new MemoryContextOptions();
        _options.Validate();
        _packets = new MemoryPacketBuilder(new MemoryPacketOptions
        {
            TokenBudget = _options.TokenBudget,
            Tokenizer = PacketTokenizers.ForModel(_options.ModelName),
            TimeProvider = _options.TimeProvider,
        });
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryContextProvider>();
    }

    /// <summary>Gets the options.</summary>
    public MemoryContextOptions Options => _options;

    /// <summary>Searches and packs the memories for one call.</summary>
    /// <param name="request">Whose memories, for which query.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The context; <see cref="MemoryContext.Empty"/> when the query is blank.</returns>
    public async Task<MemoryContext> GetContextAsync(MemoryContextRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query.Trim();
        if (query.Length == 0)
        {
            return MemoryContext.Empty;
        }

        // A long message is cut from the front: its end is what the model is about to answer.
        if (query.Length > _options.MaxQueryCharacters)
        {
            query = query[^_options.MaxQueryCharacters..];
        }

        var results = await _store.SearchAsync(
            new MemorySearchRequest
            {
                Tenant = request.Tenant,
                Subject = request.Subject,
                Agent = request.Agent,
                Session = request.Session,
                ScopeKinds = _options.ScopeKinds,
                Text = query,
                Top = _options.Top,
                Mode = _options.Mode,
            },
            cancellationToken).ConfigureAwait(false);
        var context = new MemoryContext(_packets.Build(results), results);
        LogRecalled(request.Tenant, request.Subject, results.Count, context.Packet.Included.Count, context.Packet.TokenCount, context.Packet.Budget);
        return context;
    }

    /// <summary>
    /// Searches and packs the memories for one call and, when the packet is not empty, records them as injected: what an
    /// integration does before it puts the packet in front of the model.
    /// </summary>
    /// <param name="request">Whose memories, for which query, read by whom.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The context; <see cref="MemoryContext.Empty"/> when the query is blank.</returns>
    public async Task<MemoryContext> GetAndRecordContextAsync(MemoryContextRequest request, CancellationToken cancellationToken = default)
    {
        var context = await GetContextAsync(request, cancellationToken).ConfigureAwait(false);
        await RecordInjectedAsync(request, context, cancellationToken).ConfigureAwait(false);
        return context;
    }

    /// <summary>
    /// Records the packet's memories as injected into a model call (read audit, <c>inject</c>, with their scores): through the
    /// access-control layer when the store is governed (the caller is the reader), else straight into the store's audit log
    /// as <see cref="MemoryContextRequest.Reader"/>.
    /// </summary>
    /// <param name="request">The request the context was built for.</param>
    /// <param name="context">The context injected.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the reads are recorded.</returns>
    public async Task RecordInjectedAsync(MemoryContextRequest request, MemoryContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (context.IsEmpty)
        {
            return;
        }

        if (_store.GetService(typeof(AccessControlledMemoryStore)) is AccessControlledMemoryStore governed)
        {
            await governed.RecordInjectionAsync(context.Packet, context.Retrieved, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_store.GetService(typeof(IMemoryAuditLog)) is not IMemoryAuditLog audit)
        {
            LogNoAudit(request.Tenant);
            return;
        }

        var scores = context.Retrieved.GroupBy(r => r.Record.Id).ToDictionary(g => g.Key, g => g.Max(r => r.Score));
        var now = MemoryEventChain.TruncateToMicroseconds(_options.TimeProvider.GetUtcNow());
        await audit.RecordReadsAsync(
            [.. context.Packet.Included.Select(i => new MemoryReadEntry
            {
                Tenant = request.Tenant,
                MemoryId = i.MemoryId,
                Reader = request.Reader,
                Operation = "inject",
                Task = request.Task,
                Score = scores.TryGetValue(i.MemoryId, out var score) ? score : null,
                Injected = true,
                ReadAt = now,
            })],
            cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(901, LogLevel.Debug, "Recalled for {Subject} in {Tenant}: {Retrieved} found, {Included} packed in {Tokens}/{Budget} tokens.")]
    private partial void LogRecalled(string tenant, string subject, int retrieved, int included, int tokens, int budget);

    [LoggerMessage(902, LogLevel.Warning, "The store of tenant {Tenant} keeps no audit log; injected memories are not recorded.")]
    private partial void LogNoAudit(string tenant);
}
