using BackendSwap;
using SkMemory.Mem0.Emulator;
using SkMemory.Postgres.Tests;

namespace SkMemory.SemanticKernel.Tests;

/// <summary>The backend-swap sample runs offline, in-process, from its entry point: on SQLite, and on a real PostgreSQL.</summary>
public sealed class BackendSwapSampleTests(PostgresFixture postgres)
{
    private const string Recalled = "\"Prefers oat milk in my coffee\"";

    [Fact]
    public async Task BackendSwap_SqliteOnly_RecallsInSessionTwo_AndSkipsPostgresAndMem0()
    {
        using var output = new StringWriter();

        var code = await BackendSwapSample.MainAsync([], _ => null, output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.Equal(0, code);
        var sqlite = Section(text, "== Backend: embedded SQLite", "== Backend: PostgreSQL");
        Assert.Contains("preference: \"Prefers oat milk in my coffee\" by agent:concierge", sqlite, StringComparison.Ordinal);
        var sessionTwo = Section(sqlite, "-- session-2", "Exported from SQLite");
        AssertRecalled(sessionTwo);
        Assert.Contains($"PostgreSQL skipped: set {BackendSwapSample.PostgresVariable}", text, StringComparison.Ordinal);
        Assert.Contains($"Mem0 skipped: set {BackendSwapSample.Mem0Variable}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendSwap_OnPostgres_SessionTwoRecallsWhatSessionOneOnSqliteLearned_ThroughTheExport()
    {
        using var output = new StringWriter();

        var code = await BackendSwapSample.MainAsync([], name => name == BackendSwapSample.PostgresVariable ? postgres.ConnectionString : null, output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.Equal(0, code);
        AssertRecalled(Section(text, "-- session-2", "Exported from SQLite"));
        var onPostgres = Section(text, "== Backend: PostgreSQL (schema", "== Backend: Mem0");
        Assert.Contains("Imported the SQLite export into PostgreSQL: 3 events, 3 memories", onPostgres, StringComparison.Ordinal);
        Assert.DoesNotContain("-- session-1", onPostgres, StringComparison.Ordinal); // nothing was told to the agent on PostgreSQL
        AssertRecalled(Section(onPostgres, "-- session-2-on-postgres", null));
        Assert.DoesNotContain("Could not drop schema", text, StringComparison.Ordinal);
        Assert.Contains("Mem0 skipped", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("platform")]
    [InlineData("oss")]
    public async Task BackendSwap_OnMem0_SessionTwoRecallsWhatSessionOneOnSqliteLearned_ThroughTheEmulator(string flavor)
    {
        // Mem0 cannot run here: the in-process emulator of Mem0's documented REST API stands in for it, on a loopback port.
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var settings = new Dictionary<string, string>
        {
            [BackendSwapSample.Mem0Variable] = emulator.BaseAddress.ToString(),
            [BackendSwapSample.Mem0FlavorVariable] = flavor,
            [BackendSwapSample.Mem0KeyVariable] = flavor == "oss" ? emulator.Options.ServerAdminKey : emulator.Options.PlatformApiKey,
        };
        using var output = new StringWriter();

        var code = await BackendSwapSample.MainAsync([], name => settings.GetValueOrDefault(name), output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.True(code == 0, text);
        var onMem0 = Section(text, "== Backend: Mem0 (", null);
        Assert.Contains("Imported the SQLite export into Mem0 (and its mirror): 3 events, 3 memories", onMem0, StringComparison.Ordinal);
        Assert.DoesNotContain("-- session-1", onMem0, StringComparison.Ordinal);
        AssertRecalled(Section(onMem0, "-- session-2-on-mem0", null));
        Assert.True(emulator.MemoryCount >= 3, $"Mem0 holds {emulator.MemoryCount} memories");
        Assert.Contains(emulator.Requests, r => r.PathAndQuery.Contains("search", StringComparison.Ordinal));
    }

    private static void AssertRecalled(string session)
    {
        var injected = Section(session, "Injected into the model call:", "Remembered about ana:");
        Assert.Contains("<memories>", injected, StringComparison.Ordinal);
        Assert.Contains("[memory:", injected, StringComparison.Ordinal);
        Assert.Contains(Recalled, injected, StringComparison.Ordinal);
        Assert.Contains("agent> Welcome back! From what I remember: Prefers oat milk in my coffee.", session, StringComparison.Ordinal);
    }

    private static string Section(string text, string start, string? end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start}' not in the output:\n{text}");
        var to = end is null ? -1 : text.IndexOf(end, from, StringComparison.Ordinal);
        Assert.True(end is null || to >= 0, $"'{end}' not after '{start}' in the output:\n{text}");
        return end is null ? text[from..] : text[from..to];
    }
}
