using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SkMemory.Postgres.Tests;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Faults.Tests;

/// <summary>
/// The real <c>skmem</c> killed with SIGKILL in the middle of an import (into SQLite and into PostgreSQL) and of a
/// retention sweep: the import is one transaction, so the store holds all of the file or none of it; the sweep changes
/// one memory (expire) or one batch (purge) per transaction, so every memory is untouched, expired or purged, never
/// half-purged, and the next sweep finishes the job. Each test counts the memories and verifies the chain afterwards.
/// </summary>
public sealed class ProcessKillTests(PostgresFixture postgres, LargeExport export) : IClassFixture<LargeExport>, IDisposable
{
    private const string SweepTenant = "sweep";
    private const int Expiring = 1000;
    private const int Kept = 100;

    // Preferences expire 30 days after they became true and are purged in the same sweep; facts have no rule and stay.
    private const string Policy = """
        {
          "version": 1,
          "rules": [ { "type": "preference", "expireAfterDays": 30, "anchor": "valid_from", "purgeAfterDays": 0 } ]
        }
        """;

    private readonly string _home = Directory.CreateTempSubdirectory("skmemory-faults-kill-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ImportKilledMidway_IntoSqlite_LeavesNothing_AndARerunImportsEveryMemory()
    {
        var db = Path.Combine(_home, "import.db");
        await ImportKilledMidwayAsync(
            ["--store", db],
            async () =>
            {
                // A killed writer leaves its uncommitted pages in the WAL; the next opener discards them.
                SqliteConnection.ClearAllPools();
                Assert.Equal("ok", await IntegrityCheckAsync(db));
                return await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = db }, cancellationToken: Ct);
            });
    }

    [Fact]
    public async Task ImportKilledMidway_IntoPostgres_LeavesNothing_AndARerunImportsEveryMemory()
    {
        // The server rolls the killed client's transaction back when its connection drops.
        var schema = postgres.NewSchema();
        await ImportKilledMidwayAsync(["--store", postgres.ConnectionString, "--schema", schema], async () => await postgres.OpenStoreAsync(schema: schema, cancellationToken: Ct));
    }

    [Fact]
    public async Task SweepKilledWhileExpiringAndWhilePurging_LeavesNoHalfPurgedMemory_AndTheNextSweepFinishesTheJob()
    {
        var db = Path.Combine(_home, "sweep.db");
        var policy = Path.Combine(_home, "policy.json");
        await File.WriteAllTextAsync(policy, Policy, Ct);
        var watch = Stopwatch.StartNew();
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = db }, cancellationToken: Ct))
        {
            for (var i = 0; i < Expiring; i++)
            {
                await store.WriteAsync(FaultChecks.Fact(SweepTenant, $"Ana preferred seat {i} in 2020") with { Type = MemoryTypes.Preference, ValidFrom = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero) }, Ct);
            }

            for (var i = 0; i < Kept; i++)
            {
                await store.WriteAsync(FaultChecks.Fact(SweepTenant, $"Ana's lasting fact {i}"), Ct);
            }
        }

        SqliteConnection.ClearAllPools();
        Log($"sweep store of {Expiring + Kept} memories written in {watch.Elapsed.TotalSeconds:0.0} s");
        string[] sweep = ["sweep", "--tenant", SweepTenant, "--policy", policy, "--page-size", "50", "--json", "--store", db];

        // First kill: in the expire phase, a hundred memories in.
        using (var child = SkmemChild.Start(_home, sweep))
        {
            await child.KillWhenAsync(async () => (await StatusCountsAsync(db)).GetValueOrDefault("expired") >= 100, "100 memories were expired");
        }

        var afterFirstKill = await AssertNoHalfAppliedMemoryAsync(db);
        Assert.InRange(afterFirstKill.GetValueOrDefault("expired") + afterFirstKill.GetValueOrDefault("deleted"), 100, Expiring - 1);

        // Second kill: in the purge phase, once the first batch is purged.
        using (var child = SkmemChild.Start(_home, sweep))
        {
            await child.KillWhenAsync(async () => (await StatusCountsAsync(db)).GetValueOrDefault("deleted") >= 1, "the first purge committed");
        }

        var afterSecondKill = await AssertNoHalfAppliedMemoryAsync(db);
        var stillActive = afterSecondKill.GetValueOrDefault("active") - Kept;
        var purged = afterSecondKill.GetValueOrDefault("deleted");
        Assert.InRange(purged, 1, Expiring - 1);

        Log($"two sweeps killed after {watch.Elapsed.TotalSeconds:0.0} s");

        // The next sweep expires exactly what is left and purges exactly what is not purged yet.
        var (exitCode, output, error) = await SkmemChild.RunAsync(_home, sweep);
        Assert.True(exitCode == 0, $"the finishing sweep failed ({exitCode}):\n{output}\n{error}");
        var totals = JsonDocument.Parse(output).RootElement.GetProperty("totals");
        Assert.Equal((stillActive, Expiring - purged, 0), (totals.GetProperty("expired").GetInt32(), totals.GetProperty("purged").GetInt32(), totals.GetProperty("errors").GetInt32()));
        Log(
            $"after {watch.Elapsed.TotalSeconds:0.0} s: sweep killed at {Describe(afterFirstKill)}, then at {Describe(afterSecondKill)}; the finishing sweep expired {stillActive} and purged {Expiring - purged}");

        var final = await AssertNoHalfAppliedMemoryAsync(db);
        Assert.Equal((Kept, 0, Expiring), (final.GetValueOrDefault("active"), final.GetValueOrDefault("expired"), final.GetValueOrDefault("deleted")));
        using (var store = await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = db }, cancellationToken: Ct))
        {
            Assert.Equal(Expiring + Kept, (await FaultChecks.ReadAllAsync(store, SweepTenant, Ct)).Count);

            // Each memory: created; each preference also expired and deleted (the purge's tombstone).
            Assert.Equal(Kept + (3 * Expiring), await FaultChecks.AssertVerifiesAsync(store, Ct, SweepTenant));
        }

        SqliteConnection.ClearAllPools();
        var (again, againOutput, againError) = await SkmemChild.RunAsync(_home, sweep);
        Assert.True(again == 0, againError);
        var zeros = JsonDocument.Parse(againOutput).RootElement.GetProperty("totals");
        Assert.Equal((0, 0), (zeros.GetProperty("expired").GetInt32(), zeros.GetProperty("purged").GetInt32()));
    }

    private async Task ImportKilledMidwayAsync(string[] store, Func<Task<IMemoryStore>> open)
    {
        Log($"export of {export.Tenants.Count * LargeExport.PerTenant} memories written in {export.Elapsed.TotalSeconds:0.0} s");
        var watch = Stopwatch.StartNew();
        using (var child = SkmemChild.Start(_home, ["import", export.Path, .. store]))
        {
            await child.KillWhenAsync(() => Task.FromResult(child.Error.Contains("importing:", StringComparison.Ordinal)), "its first progress line");
            Log($"import killed after {watch.Elapsed.TotalSeconds:0.0} s at: {child.Error.Trim()}");
        }

        using (var killed = await open())
        {
            await AssertImportedAsync(killed, 0);
        }

        SqliteConnection.ClearAllPools();
        watch.Restart();
        var (exitCode, output, error) = await SkmemChild.RunAsync(_home, ["import", export.Path, .. store]);
        Assert.True(exitCode == 0, $"the second import failed ({exitCode}):\n{output}\n{error}");
        Log($"the second import took {watch.Elapsed.TotalSeconds:0.0} s");
        using var imported = await open();
        await AssertImportedAsync(imported, LargeExport.PerTenant);
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static string Describe(Dictionary<string, int> counts) => string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"));

    private async Task AssertImportedAsync(IMemoryStore store, int perTenant)
    {
        foreach (var tenant in export.Tenants)
        {
            Assert.Equal(perTenant, (await FaultChecks.ReadAllAsync(store, tenant, Ct)).Count);
        }

        var verified = await store.VerifyAsync(cancellationToken: Ct);
        Assert.True(verified.IsValid, $"the chain does not verify: {verified.FirstBrokenLink}");
        Assert.Equal((perTenant == 0 ? 0 : export.Tenants.Count, (long)perTenant * export.Tenants.Count), (verified.TenantCount, verified.EventCount));
    }

    private static async Task<Dictionary<string, int>> StatusCountsAsync(string db)
    {
        await using var connection = await OpenAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, count(*) FROM memory_objects WHERE tenant = $tenant GROUP BY status";
        command.Parameters.AddWithValue("$tenant", SweepTenant);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    /// <summary>
    /// Reads the file directly and checks every memory is in one whole state: untouched (created, text and full-text entry
    /// present), expired (created and expired events with their payloads, content kept until the purge), or purged (every
    /// earlier payload erased, the tombstone event last, no text, no full-text entry, named by exactly one attestation).
    /// </summary>
    /// <returns>The count of memories per status.</returns>
    private static async Task<Dictionary<string, int>> AssertNoHalfAppliedMemoryAsync(string db)
    {
        await using var connection = await OpenAsync(db);
        var attested = new List<Guid>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT attestation FROM memory_attestations WHERE tenant = $tenant";
            command.Parameters.AddWithValue("$tenant", SweepTenant);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                attested.AddRange(MemoryAttestationJson.Deserialize(reader.GetString(0)).MemoryIds);
            }
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var purged = new List<Guid>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                SELECT o.id, o.type, o.status, o.text,
                       (SELECT count(*) FROM memory_fts f WHERE f.rowid = o.rowid),
                       (SELECT group_concat(e.event_type || ':' || (e.payload IS NOT NULL), ',')
                          FROM (SELECT event_type, payload FROM memory_events WHERE tenant = o.tenant AND memory_id = o.id ORDER BY sequence) e)
                FROM memory_objects o WHERE o.tenant = $tenant
                """;
            command.Parameters.AddWithValue("$tenant", SweepTenant);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                var (id, type, status, text, fullText, events) = (Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5));
                var state = (status, text.Length > 0, fullText, events);
                var expected = status switch
                {
                    "active" => ("active", true, 1L, "created:1"),
                    "expired" => ("expired", true, 1L, "created:1,expired:1"),
                    "deleted" => ("deleted", false, 0L, "created:0,expired:0,deleted:1"),
                    _ => ("one of active, expired, deleted", false, 0L, string.Empty),
                };
                Assert.True(state == expected, $"{type} memory {id} is half-applied: {state}, expected {expected}");
                Assert.True(status == "active" || type == MemoryTypes.Preference, $"{type} memory {id} was swept: {status}");
                counts[status] = counts.GetValueOrDefault(status) + 1;
                if (status == "deleted")
                {
                    purged.Add(id);
                }
            }
        }

        // A purge and its attestation commit together: every purged memory is attested once, and nothing else is.
        Assert.Equal(purged.Order(), attested.Order());
        Assert.Equal(Expiring + Kept, counts.Values.Sum());
        return counts;
    }

    private static async Task<SqliteConnection> OpenAsync(string db)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task<string> IntegrityCheckAsync(string db)
    {
        await using var connection = await OpenAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }
}
