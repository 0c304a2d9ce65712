using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Mem0;

/// <summary>
/// Moves memories between any two stores (embedded, Postgres, Mem0) through the canonical export format, tenant by
/// tenant, so ids, provenance, timestamps and the whole event history travel as they are.
/// </summary>
/// <remarks>
/// A Mem0 source first adopts into its mirror what exists only in Mem0 (memories other clients wrote, or all of them
/// when the mirror is new); a Mem0 target imports into its mirror, then pushes every memory to Mem0. Each tenant's import
/// is one transaction, so a stopped migration leaves a tenant either whole or absent; running the same command again
/// skips the tenants already imported (their chains match), finishes any push to Mem0 that was cut short, and goes on.
/// </remarks>
public sealed partial class MemoryMigrator
{
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryMigrator"/> class.</summary>
    public MemoryMigrator(ILogger<MemoryMigrator>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Migrates the source's memories into the target.</summary>
    /// <exception cref="MemoryException">The target already holds a different history for a tenant, or a store failed; the message says what to do.</exception>
    public async Task<MemoryMigrationResult> MigrateAsync(IMemoryStore source, IMemoryStore target, MemoryMigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new MemoryMigrationOptions();
        var progress = options.Progress;
        long adopted = 0;
        if (source.GetService(typeof(Mem0MemoryStore)) is Mem0MemoryStore mem0Source)
        {
            progress?.Report(new MemoryMigrationProgress("pull", options.Tenant ?? "*", 0, null));
            var pulled = await mem0Source.ReconcileAsync(
                new Mem0ReconcileOptions
                {
                    Tenant = options.Tenant,
                    Push = false,
                    Progress = progress is null ? null : new Progress<Mem0ReconcileProgress>(p => progress.Report(new MemoryMigrationProgress("pull", options.Tenant ?? "*", p.Checked, null))),
                },
                cancellationToken).ConfigureAwait(false);
            if (pulled.Failures.Count > 0)
            {
                throw new MemoryException(
                    MemoryErrorCode.Unavailable,
                    $"{pulled.Failures.Count} Mem0 memories could not be read into the source's mirror (first: {pulled.Failures[0].Error}); nothing was migrated. Fix that, then run the migration again.");
            }

            adopted = pulled.Adopted;
        }

        var tenants = await TenantsAsync(source, options, cancellationToken).ConfigureAwait(false);
        var mem0Target = target.GetService(typeof(Mem0MemoryStore)) as Mem0MemoryStore;
        var migrated = new List<string>();
        var resumed = new List<string>();
        long events = 0;
        long memories = 0;
        long pushed = 0;
        var folder = options.WorkDirectory ?? Path.GetTempPath();
        foreach (var tenant in tenants)
        {
            var file = Path.Combine(folder, $"skmem-migrate-{Guid.NewGuid():N}.jsonl");
            try
            {
                progress?.Report(new MemoryMigrationProgress("export", tenant, 0, null));
                MemoryTransferResult exported;
                var output = File.Create(file);
                await using (output.ConfigureAwait(false))
                {
                    exported = await source.ExportAsync(output, new MemoryExportOptions { Tenant = tenant, Progress = Relay(progress, "export", tenant) }, cancellationToken).ConfigureAwait(false);
                }

                memories += exported.Objects;
                var existing = await target.VerifyAsync(tenant, cancellationToken).ConfigureAwait(false);
                if (existing.EventCount == exported.Events && existing.IsValid && exported.Events > 0
                    && await SameHistoryAsync(target, tenant, file, folder, cancellationToken).ConfigureAwait(false))
                {
                    // An earlier run imported this tenant whole (imports are atomic): only the push may be unfinished.
                    LogResumed(tenant, exported.Events);
                    resumed.Add(tenant);
                }
                else if (existing.EventCount > 0)
                {
                    throw new MemoryException(
                        MemoryErrorCode.ImportConflict,
                        $"The target already holds {existing.EventCount} events for tenant '{tenant}', not the source's {exported.Events}: it has a history of its own. Migrate into an empty store (or another tenant), or export and merge by hand.");
                }
                else
                {
                    progress?.Report(new MemoryMigrationProgress("import", tenant, 0, exported.Events));
                    var input = File.OpenRead(file);
                    await using (input.ConfigureAwait(false))
                    {
                        // A Mem0 target takes the import in its mirror; the push below sends it to Mem0 with progress.
                        var importer = mem0Target?.Mirror ?? target;
                        var imported = await importer.ImportAsync(input, new MemoryImportOptions { Progress = Relay(progress, "import", tenant) }, cancellationToken).ConfigureAwait(false);
                        events += imported.Events;
                    }
                }

                if (mem0Target is not null)
                {
                    // Copies an earlier, stopped run pushed but never linked are linked first, so none is pushed twice.
                    var relink = await mem0Target.ReconcileAsync(new Mem0ReconcileOptions { Tenant = tenant, Adopt = false, Push = false }, cancellationToken).ConfigureAwait(false);
                    if (relink.Failures.Count > 0)
                    {
                        throw new MemoryException(
                            MemoryErrorCode.Unavailable,
                            $"Tenant '{tenant}' is in the target's canonical log, but checking what Mem0 already holds failed (first: {relink.Failures[0].Error}). Run the same migration again (or 'skmem reconcile') to finish.");
                    }

                    progress?.Report(new MemoryMigrationProgress("push", tenant, 0, exported.Objects));
                    var push = await mem0Target.ReconcileAsync(
                        new Mem0ReconcileOptions
                        {
                            Tenant = tenant,
                            Pull = false,
                            Progress = progress is null ? null : new Progress<Mem0ReconcileProgress>(p => progress.Report(new MemoryMigrationProgress("push", tenant, p.Checked, exported.Objects))),
                        },
                        cancellationToken).ConfigureAwait(false);
                    pushed += push.Pushed;
                    if (push.Failures.Count > 0)
                    {
                        LogPushIncomplete(tenant, push.Failures[0].Error);
                        throw new MemoryException(
                            MemoryErrorCode.Unavailable,
                            $"Tenant '{tenant}' is in the target's canonical log, but {push.Failures.Count} memories did not reach Mem0 (first: {push.Failures[0].Error}). Run the same migration again (or 'skmem reconcile') to finish.");
                    }
                }

                progress?.Report(new MemoryMigrationProgress("verify", tenant, 0, exported.Events));
                var verified = await target.VerifyAsync(tenant, cancellationToken).ConfigureAwait(false);
                if (!verified.IsValid || verified.EventCount != exported.Events)
                {
                    throw new MemoryException(
                        MemoryErrorCode.ImportInvalid,
                        $"After the migration the target's chain for tenant '{tenant}' has {verified.EventCount} events (source: {exported.Events}) and is {(verified.IsValid ? "valid" : "broken: " + verified.FirstBrokenLink?.Problem)}.");
                }

                migrated.Add(tenant);
                LogMigrated(tenant, exported.Events, exported.Objects);
            }
            finally
            {
                File.Delete(file);
            }
        }

        return new MemoryMigrationResult
        {
            Tenants = migrated,
            Resumed = resumed,
            Events = events,
            Memories = memories,
            AdoptedFromMem0 = adopted,
            PushedToMem0 = pushed,
        };
    }

    private static async Task<IReadOnlyList<string>> TenantsAsync(IMemoryStore source, MemoryMigrationOptions options, CancellationToken cancellationToken)
    {
        if (options.Tenant is { } tenant)
        {
            return [tenant];
        }

        if (source.GetService(typeof(Storage.EventSourcedMemoryStore)) is Storage.EventSourcedMemoryStore canonical)
        {
            return await canonical.GetTenantsAsync(cancellationToken).ConfigureAwait(false);
        }

        // Another kind of store: an export of everything to nowhere lists its tenants.
        var result = await source.ExportAsync(Stream.Null, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Tenants;
    }

    /// <summary>Whether the target holds exactly the history exported to <paramref name="exportFile"/> (every line after the header).</summary>
    private static async Task<bool> SameHistoryAsync(IMemoryStore target, string tenant, string exportFile, string folder, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, $"skmem-migrate-check-{Guid.NewGuid():N}.jsonl");
        try
        {
            var output = File.Create(file);
            await using (output.ConfigureAwait(false))
            {
                await target.ExportAsync(output, new MemoryExportOptions { Tenant = tenant }, cancellationToken).ConfigureAwait(false);
            }

            // The header names the exporting store and the time; the rest is the tenant's log and state, byte for byte.
            var theirs = File.ReadLinesAsync(file, cancellationToken).Skip(1);
            var ours = File.ReadLinesAsync(exportFile, cancellationToken).Skip(1);
            return await theirs.SequenceEqualAsync(ours, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Progress<MemoryTransferProgress>? Relay(IProgress<MemoryMigrationProgress>? progress, string stage, string tenant) =>
        progress is null ? null : new Progress<MemoryTransferProgress>(p => progress.Report(new MemoryMigrationProgress(stage, tenant, p.Events, p.TotalEvents)));

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Migrated tenant {Tenant}: {Events} events, {Objects} memories")]
    private partial void LogMigrated(string tenant, long events, long objects);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Tenant {Tenant} was already imported by an earlier run ({Events} events); finishing it")]
    private partial void LogResumed(string tenant, long events);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Tenant {Tenant} is imported but its push to Mem0 stopped ({Error}); run the migration again to finish it")]
    private partial void LogPushIncomplete(string tenant, string error);
}
