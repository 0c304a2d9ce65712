using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SkMemory.Storage.Postgres;

/// <summary>
/// Each large tenant's own HNSW index (see <see cref="PostgresVectorIndexes"/> for why): a search over a tenant with at
/// least <see cref="PostgresMemoryStoreOptions.TenantVectorIndexMinRows"/> embeddings and no index of its own starts
/// building one in the background; smaller tenants are searched exactly.
/// </summary>
public sealed partial class PostgresMemoryStore
{
    /// <summary>How long after a build failed (or ran elsewhere) a search may start another for the same tenant; doubled per failure.</summary>
    private static readonly TimeSpan TenantIndexRetryDelay = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a tenant counted below the threshold is searched exactly without counting again: saves a query per search
    /// for the many small tenants, at the price of a tenant that just grew waiting this long for its index to be started.
    /// </summary>
    private static readonly TimeSpan SmallTenantRecount = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two tries (a build that keeps failing, such as on a read-only server, costs one try an hour).</summary>
    private static readonly TimeSpan TenantIndexMaxRetryDelay = TimeSpan.FromHours(1);

    /// <summary>Per (model, dimensions, tenant): when a search may start a build; <see cref="DateTimeOffset.MaxValue"/> while one runs.</summary>
    private readonly ConcurrentDictionary<(string Model, int Dimensions, string Tenant), DateTimeOffset> _tenantIndexRequests = new();
    private readonly ConcurrentDictionary<Task, byte> _tenantIndexBuilds = new();
    private readonly ConcurrentDictionary<(string Model, int Dimensions, string Tenant), int> _tenantIndexFailures = new();

    /// <summary>Per (model, dimensions, tenant) found below the threshold: when it was counted (searches trust it for <see cref="SmallTenantRecount"/>).</summary>
    private readonly ConcurrentDictionary<(string Model, int Dimensions, string Tenant), DateTimeOffset> _smallTenants = new();

    // One build at a time: each one is CPU- and memory-heavy on the server, and they queue instead of competing.
    private readonly SemaphoreSlim _tenantIndexGate = new(1, 1);
    private readonly CancellationTokenSource _tenantIndexLifetime = new();

    /// <summary>
    /// Gets or sets how many embeddings a tenant has before it gets its own HNSW index; 0 turns tenant indexes off.
    /// Starts as <see cref="PostgresMemoryStoreOptions.TenantVectorIndexMinRows"/>; tests change it.
    /// </summary>
    internal int TenantVectorIndexMinRows { get; set; }

    /// <summary>
    /// Builds the missing HNSW index of every tenant with at least <see cref="PostgresMemoryStoreOptions.TenantVectorIndexMinRows"/>
    /// embeddings of a model, one after the other, with <c>CREATE INDEX CONCURRENTLY</c> (writes and searches go on meanwhile).
    /// Searches build them on their own in the background; call this after a bulk load, or to have them all before traffic.
    /// </summary>
    /// <param name="progress">Receives a line per index before it is built, if given.</param>
    /// <param name="cancellationToken">The cancellation token. A build it stops leaves an invalid index that searches ignore and the next build of that tenant drops.</param>
    /// <returns>How many indexes this call built.</returns>
    public async Task<int> EnsureTenantVectorIndexesAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (TenantVectorIndexMinRows <= 0 || !_names.SupportsIterativeScan)
        {
            return 0;
        }

        var large = new List<(string Tenant, string Model, int Dimensions, long Rows)>();
        var command = _dataSource.CreateCommand(
            $"SELECT tenant, model, dimensions, count(*) FROM {_names.Embeddings} GROUP BY tenant, model, dimensions HAVING count(*) >= @min ORDER BY tenant, model, dimensions");
        await using (command.ConfigureAwait(false))
        {
            command.CommandTimeout = 0;
            PostgresRows.Add(command, "min", (long)TenantVectorIndexMinRows);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    large.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3)));
                }
            }
        }

        var built = 0;
        foreach (var (tenant, model, dimensions, rows) in large)
        {
            if (!_vectorIndexes.CanIndex(model, dimensions) || _vectorIndexes.IsTenantKnown(model, dimensions, tenant))
            {
                continue;
            }

            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"building the HNSW index of tenant '{tenant}' ({rows:N0} vectors of {model}, {dimensions} dimensions)"));
            if (await BuildTenantIndexAsync(model, dimensions, tenant, cancellationToken).ConfigureAwait(false))
            {
                built++;
            }
        }

        return built;
    }

    /// <summary>Waits for the tenant index builds running in the background (tests).</summary>
    internal Task WhenTenantIndexBuildsDoneAsync() => Task.WhenAll(_tenantIndexBuilds.Keys);

    /// <summary>
    /// Gets whether a search over the tenant should be exact because the tenant has too few embeddings of the model for
    /// its own index; for a large tenant without its index yet, starts building it and answers false (the shared index
    /// serves meanwhile).
    /// </summary>
    private async Task<bool> IsSmallTenantAsync(NpgsqlConnection connection, string tenant, string model, int dimensions, CancellationToken cancellationToken)
    {
        var min = TenantVectorIndexMinRows;
        if (min <= 0 || _vectorIndexes.IsTenantKnown(model, dimensions, tenant))
        {
            return false;
        }

        var key = (model, dimensions, tenant);
        var now = Options.TimeProvider.GetUtcNow();
        if (_smallTenants.TryGetValue(key, out var countedAt) && now - countedAt < SmallTenantRecount)
        {
            return true;
        }

        // A count that stops at the bound, from the (tenant, model, dimensions) B-tree.
        var command = new NpgsqlCommand(
            $"SELECT count(*)::integer FROM (SELECT 1 FROM {_names.Embeddings} WHERE tenant = @tenant AND model = @model AND dimensions = @dimensions LIMIT @bound) s",
            connection);
        await using (command.ConfigureAwait(false))
        {
            PostgresRows.Text(command, "tenant", tenant);
            PostgresRows.Text(command, "model", model);
            PostgresRows.Add(command, "dimensions", dimensions);
            PostgresRows.Add(command, "bound", min);
            if ((int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! < min)
            {
                _smallTenants[key] = now;
                return true;
            }
        }

        _smallTenants.TryRemove(key, out _);
        RequestTenantIndex(model, dimensions, tenant);
        return false;
    }

    /// <summary>Starts building the tenant's index in the background unless a build runs or failed a moment ago.</summary>
    private void RequestTenantIndex(string model, int dimensions, string tenant)
    {
        var key = (model, dimensions, tenant);
        var now = Options.TimeProvider.GetUtcNow();
        if (_tenantIndexRequests.TryGetValue(key, out var allowedAt))
        {
            if (now < allowedAt || !_tenantIndexRequests.TryUpdate(key, DateTimeOffset.MaxValue, allowedAt))
            {
                return;
            }
        }
        else if (!_tenantIndexRequests.TryAdd(key, DateTimeOffset.MaxValue))
        {
            return;
        }

        lock (_tenantIndexBuilds)
        {
            if (_tenantIndexLifetime.IsCancellationRequested)
            {
                return;
            }

            var token = _tenantIndexLifetime.Token;

            // The build outlives the search that asked for it: it must not carry the search's activity or logging scopes.
            Task build;
            using (ExecutionContext.SuppressFlow())
            {
                build = Task.Run(() => BuildTenantIndexInBackgroundAsync(key, token), CancellationToken.None);
            }

            _tenantIndexBuilds.TryAdd(build, 0);
            _ = build.ContinueWith(done => _tenantIndexBuilds.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>One background build: never throws; on failure it logs and lets a later search try again.</summary>
    private async Task BuildTenantIndexInBackgroundAsync((string Model, int Dimensions, string Tenant) key, CancellationToken cancellationToken)
    {
        try
        {
            await BuildTenantIndexAsync(key.Model, key.Dimensions, key.Tenant, cancellationToken).ConfigureAwait(false);
            if (_vectorIndexes.IsTenantKnown(key.Model, key.Dimensions, key.Tenant))
            {
                _tenantIndexRequests.TryRemove(key, out _);
                _tenantIndexFailures.TryRemove(key, out _);
                return;
            }

            // Another process holds the build: look again after the first delay.
            _tenantIndexRequests[key] = Options.TimeProvider.GetUtcNow() + TenantIndexRetryDelay;
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A background build must never fault: searches go on through the shared index, and a later one retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var failures = _tenantIndexFailures.AddOrUpdate(key, 1, (_, count) => count + 1);
            var delay = TimeSpan.FromTicks(Math.Min(TenantIndexMaxRetryDelay.Ticks, TenantIndexRetryDelay.Ticks << Math.Min(failures - 1, 16)));
            LogTenantIndexFailed(ex, key.Tenant, key.Model, delay);
            _tenantIndexRequests[key] = Options.TimeProvider.GetUtcNow() + delay;
        }
    }

    private async Task<bool> BuildTenantIndexAsync(string model, int dimensions, string tenant, CancellationToken cancellationToken)
    {
        await _tenantIndexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var built = await _vectorIndexes.BuildTenantIndexAsync(_dataSource, model, dimensions, tenant, _vectorIndexBuildMemory, cancellationToken).ConfigureAwait(false);
            if (built)
            {
                LogTenantIndexBuilt(tenant, model, dimensions, clock.Elapsed.TotalSeconds);
            }

            return built;
        }
        finally
        {
            _tenantIndexGate.Release();
        }
    }

    /// <summary>Stops the background builds (a cancelled build leaves an invalid index that the next build drops) and waits for them briefly.</summary>
    private void StopTenantIndexBuilds()
    {
        Task[] running;
        lock (_tenantIndexBuilds)
        {
            if (_tenantIndexLifetime.IsCancellationRequested)
            {
                return;
            }

            _tenantIndexLifetime.Cancel();
            running = [.. _tenantIndexBuilds.Keys];
        }

        // The builds never fault (they log), so waiting only bounds how long disposal can take. The gate is not disposed:
        // a build still ending after the wait releases it (a SemaphoreSlim without a wait handle holds nothing to free).
        Task.WaitAll(running, TimeSpan.FromSeconds(10));
        _tenantIndexLifetime.Dispose();
    }

    [LoggerMessage(2, LogLevel.Information, "Built the HNSW index of tenant {Tenant} for model {Model} ({Dimensions} dimensions) in {Seconds:F1} s; its searches use it from now on.")]
    private partial void LogTenantIndexBuilt(string tenant, string model, int dimensions, double seconds);

    [LoggerMessage(3, LogLevel.Warning, "Building the HNSW index of tenant {Tenant} for model {Model} failed; its searches use the shared index meanwhile, and one after {Delay} tries again.")]
    private partial void LogTenantIndexFailed(Exception exception, string tenant, string model, TimeSpan delay);
}
