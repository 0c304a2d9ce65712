using Npgsql;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary>The CLI's own value syntaxes, store resolution and progress output.</summary>
public sealed class ParsingTests
{
    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("2w", 14 * 24 * 60)]
    [InlineData("1d12h", 36 * 60)]
    [InlineData("1H30M", 90)]
    public void Ttl_accepts_units_and_combinations(string text, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), ValueParsers.Ttl(text));

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("3y")]
    [InlineData("-1d")]
    [InlineData("0h")]
    [InlineData("99999999999999w")]
    public void Ttl_rejects_anything_else(string text)
    {
        var ex = Assert.Throws<CliException>(() => ValueParsers.Ttl(text));
        Assert.Equal("ttl", ex.Field);
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
    }

    [Fact]
    public void Scope_actor_metadata_and_status_parse()
    {
        Assert.Equal(MemoryScope.ForTeam("kitchen") with { Agent = "a" }, ValueParsers.Scope("team:kitchen", "a", null));
        Assert.Equal(MemoryScope.Public, ValueParsers.Scope("public", null, null));
        Assert.Equal(MemoryScope.Personal, ValueParsers.Scope(null, null, null));
        Assert.Equal(new MemoryActor(MemoryActorKind.Tool, "search:v2"), ValueParsers.Actor("tool:search:v2"));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "x=y" }, ValueParsers.Metadata(["a=1", "b=x=y"]));
        Assert.Equal("metadata.a", Assert.Throws<CliException>(() => ValueParsers.Metadata(["a=1", "a=2"])).Field);
        Assert.Equal([MemoryStatus.Active, MemoryStatus.Deleted], ValueParsers.Statuses(["active,deleted"]));
        Assert.Equal(Enum.GetValues<MemoryStatus>(), ValueParsers.Statuses(["all"]));
    }

    [Fact]
    public void Store_defaults_to_the_embedded_file_and_recognizes_postgres()
    {
        var embedded = StoreOpener.Resolve(null, null);
        Assert.Equal(StoreKind.Sqlite, embedded.Kind);
        Assert.True(embedded.IsDefault);
        Assert.Equal(Path.GetFullPath(SkMemoryPaths.DefaultDatabasePath), embedded.Location);
        Assert.Equal(embedded, StoreOpener.Resolve("embedded", null));

        var file = StoreOpener.Resolve("some/dir/mem.db", null);
        Assert.Equal(StoreKind.Sqlite, file.Kind);
        Assert.Equal(Path.GetFullPath("some/dir/mem.db"), file.Location);

        var keyValue = StoreOpener.Resolve("Host=db.internal;Database=mem;Username=app", "tenant_a");
        Assert.Equal(StoreKind.Postgres, keyValue.Kind);
        Assert.Equal("tenant_a", keyValue.Schema);
        Assert.Equal("skmemory", StoreOpener.Resolve("Username=app;Host=db.internal", null).Schema);
        Assert.Equal(StoreKind.Postgres, StoreOpener.Resolve("postgres://db.internal/mem", null).Kind);

        Assert.Equal("schema", Assert.Throws<CliException>(() => StoreOpener.Resolve("mem.db", "x")).Field);
        Assert.Equal("store", Assert.Throws<CliException>(() => StoreOpener.Resolve("Host=x;Bogus Key=1", null)).Field);
    }

    [Fact]
    public void Postgres_uris_become_key_value_connection_strings()
    {
        var cs = new NpgsqlConnectionStringBuilder(StoreOpener.PostgresUriToConnectionString(
            "postgresql://app%40corp:p%3Ass%2Fw@db.example.com:6432/memory%20db?sslmode=verify-full&application_name=skmem&connect_timeout=7&target_session_attrs=read-write"));
        Assert.Equal("db.example.com", cs.Host);
        Assert.Equal(6432, cs.Port);
        Assert.Equal("app@corp", cs.Username);
        Assert.Equal("p:ss/w", cs.Password);
        Assert.Equal("memory db", cs.Database);
        Assert.Equal(SslMode.VerifyFull, cs.SslMode);
        Assert.Equal("skmem", cs.ApplicationName);
        Assert.Equal(7, cs.Timeout);
        Assert.Equal("read-write", cs.TargetSessionAttributes);

        var minimal = new NpgsqlConnectionStringBuilder(StoreOpener.PostgresUriToConnectionString("postgres://localhost"));
        Assert.Equal("localhost", minimal.Host);
        Assert.Null(minimal.Database);

        var ipv6 = new NpgsqlConnectionStringBuilder(StoreOpener.PostgresUriToConnectionString("postgres://u@[::1]:5433/db"));
        Assert.Equal("::1", ipv6.Host);
        Assert.Equal(5433, ipv6.Port);

        var hosts = new NpgsqlConnectionStringBuilder(StoreOpener.PostgresUriToConnectionString("postgres://a:5432,b:5433/db"));
        Assert.Equal("a:5432,b:5433", hosts.Host);

        var bad = Assert.Throws<CliException>(() => StoreOpener.PostgresUriToConnectionString("postgres://u:hunter2@h:notaport/db"));
        Assert.DoesNotContain("hunter2", bad.Message, StringComparison.Ordinal);
        Assert.Throws<CliException>(() => StoreOpener.PostgresUriToConnectionString("postgres://h/db?nonsense_parameter=1"));
    }

    [Fact]
    public void Progress_prints_a_line_every_few_thousand_items_when_stderr_is_not_a_terminal()
    {
        var error = new StringWriter();
        var progress = new ProgressDisplay(error, ProgressMode.Lines, "importing");
        for (long i = 1000; i <= 12_000; i += 1000)
        {
            progress.Update(i, $"{i} lines");
        }

        progress.Complete("imported 12000 lines");
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("importing: 5000 lines", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("importing: 10000 lines", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("imported 12000 lines in ", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain('\r', error.ToString());
    }

    [Fact]
    public void Progress_on_a_terminal_rewrites_one_line()
    {
        var error = new StringWriter();
        var progress = new ProgressDisplay(error, ProgressMode.Live, "exporting");
        progress.Update(1000, "1000 lines");
        progress.Complete("exported");
        var text = error.ToString();
        Assert.StartsWith("\rexporting: 1000 lines", text, StringComparison.Ordinal);
        Assert.Contains("\rexported in ", text, StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Table_aligns_columns_and_cuts_long_cells()
    {
        var table = new TextTable(("A", 10, false), ("N", 5, true), ("TEXT", 8, false));
        table.Add("x", "1", "short");
        table.Add("longer", "100", "a much longer text");
        var output = new StringWriter();
        table.Write(output);
        Assert.Equal(["A         N  TEXT", "x         1  short", "longer  100  a much …"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
