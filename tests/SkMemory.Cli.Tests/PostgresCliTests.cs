using Npgsql;
using SkMemory.Postgres.Tests;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The CLI against a real PostgreSQL + pgvector server (the shared fixture: a throwaway cluster or SKMEMORY_TEST_POSTGRES).</summary>
public sealed class PostgresCliTests(PostgresFixture postgres) : IDisposable
{
    private readonly CliRunner _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Remember_recall_export_import_and_verify_round_trip_on_postgres()
    {
        var schema = postgres.NewSchema();
        Task<CliResult> Run(params string[] args) => CliRunner.RunOnAsync(postgres.ConnectionString, [.. args, "--schema", schema]);

        var created = (await Run("remember", "Ana prefers oat milk in her coffee", "--subject", "ana", "--type", "preference", "--json")).ShouldSucceed().Json();
        var id = created.GetProperty("id").GetGuid();
        (await Run("remember", "Ana lives in Lisbon", "--subject", "ana", "--idempotency-key", "pg-1")).ShouldSucceed();
        Assert.StartsWith("idempotent replay: ", (await Run("remember", "Ana lives in Lisbon", "--subject", "ana", "--idempotency-key", "pg-1")).ShouldSucceed().Out, StringComparison.Ordinal);

        var recall = (await Run("recall", "oat milk", "--subject", "ana")).ShouldSucceed();
        Assert.Contains(id.ToString(), recall.Out.Split('\n')[1], StringComparison.Ordinal);

        Assert.Contains("Ana lives in Lisbon", (await Run("list")).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Contains("created", (await Run("history", id.ToString())).ShouldSucceed().Out, StringComparison.Ordinal);
        (await Run("forget", id.ToString(), "--reason", "switched to soy")).ShouldSucceed();

        var file = _files.NewFilePath();
        Assert.Contains("exported 3 events and 2 objects from 1 tenant", (await Run("export", "-o", file)).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.Equal("chain verified: 3 events in 1 tenant", (await Run("verify")).ShouldSucceed().Out.Trim());

        // Postgres → SQLite → another Postgres schema, through the URI form of the connection string.
        var sqlite = _files.NewStorePath();
        (await CliRunner.RunOnAsync(sqlite, "import", file)).ShouldSucceed();
        Assert.Equal("chain verified: 3 events in 1 tenant", (await CliRunner.RunOnAsync(sqlite, "verify")).ShouldSucceed().Out.Trim());

        var copySchema = postgres.NewSchema();
        var uri = ToUri(postgres.ConnectionString);
        Assert.Contains("imported 3 events and 2 objects", (await CliRunner.RunOnAsync(uri, "import", file, "--schema", copySchema)).ShouldSucceed().Out, StringComparison.Ordinal);
        Assert.True((await CliRunner.RunOnAsync(uri, "verify", "--schema", copySchema, "--json")).ShouldSucceed().Json().GetProperty("is_valid").GetBoolean());
        var original = SqliteWorkflowTests.Ids((await Run("list", "--status", "all", "--json")).ShouldSucceed());
        var copied = SqliteWorkflowTests.Ids((await CliRunner.RunOnAsync(uri, "list", "--status", "all", "--json", "--schema", copySchema)).ShouldSucceed());
        Assert.Equal(2, original.Count);
        Assert.Equal(original, copied);

        // Tampering with the server's log is caught by verify.
        await postgres.ExecuteAsync($"UPDATE \"{schema}\".memory_events SET payload = replace(payload, 'Lisbon', 'Lisbun') WHERE sequence = 2");
        var verify = await Run("verify");
        Assert.Equal(ExitCodes.VerifyFailed, verify.ExitCode);
        Assert.Contains("sequence  2", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_or_database_exits_7()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "skmemory_no_such_database", Pooling = false };
        var result = (await CliRunner.RunOnAsync(builder.ConnectionString, "list")).ShouldFail(ExitCodes.StoreUnavailable);
        Assert.Contains("skmemory_no_such_database", result.Error, StringComparison.Ordinal);
    }

    private static string ToUri(string connectionString)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var user = cs.Username is null ? string.Empty : Uri.EscapeDataString(cs.Username) + (cs.Password is null ? string.Empty : ":" + Uri.EscapeDataString(cs.Password)) + "@";
        return $"postgres://{user}{cs.Host}:{cs.Port}/{Uri.EscapeDataString(cs.Database ?? "postgres")}";
    }
}
