using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Client;
using SkMemory.Tests;

namespace SkMemory.Inspector.Tests;

/// <summary>
/// The Inspector in a real browser: headless Chromium (Debian's <c>/usr/bin/chromium</c>) driven by playwright-core from npm
/// (tests/SkMemory.Inspector.Tests/browser, installed by scripts/test.sh with npm ci) runs <c>browser/inspector.mjs</c>
/// against a real server, after an agent searched through MCP with the official C# client. With
/// <c>SKMEMORY_UPDATE_SCREENSHOTS=1</c> the screenshots go to docs/images (the README's); otherwise to a temporary folder.
/// </summary>
public sealed class BrowserTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Xss = "<script>window.__xss=1</script>";
    private const string Install = "run scripts/test.sh, which installs them (scripts/install-deps.sh for Node.js and Chromium, npm ci for playwright-core)";

    private static readonly string[] Steps =
    [
        "signin_page", "signin_admin", "browse", "search", "open", "evidence", "history", "local_time", "read_log", "correct",
        "supersede_history", "purge", "xss", "foreign_tenant", "signout", "signin_subject", "subject_browse", "subject_refused", "subject_page",
    ];

    private static readonly string[] Screenshots = ["signin", "browse", "browse-mobile", "memory", "attestation", "subject"];

    private readonly string _temp = Directory.CreateTempSubdirectory("skm-inspector-browser-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_person_inspects_corrects_and_purges_memories_in_headless_Chromium()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(SkmemProcess.RepositoryRoot, "tests", "SkMemory.Inspector.Tests", "browser");
        var node = FindOnPath("node");
        Assert.True(node is not null, $"node is not on PATH: {Install}");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "playwright-core")), $"playwright-core is not installed in {folder}: {Install}");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: {Install}");

        // Memories: one with evidence, a few ordinary ones, an XSS attempt, another subject's and another tenant's.
        var evidence = await fixture.WriteAsync(
            "ana",
            "Allergic to peanuts",
            type: "fact",
            provenance: new MemoryProvenance
            {
                SourceKind = MemorySourceKind.Message,
                MessageIds = ["msg-41"],
                QuotedSpans = ["I am allergic to peanuts, so please keep them out of anything you order for me"],
                ObservedAt = new DateTimeOffset(2026, 3, 4, 15, 6, 7, TimeSpan.Zero),
            },
            metadata: new Dictionary<string, string> { ["source"] = "chat" });
        var own = await fixture.WriteAsync("ana", "Prefers green tea in the morning");
        await fixture.WriteAsync("ana", "Lives in Lisbon", type: "fact");
        var bos = await fixture.WriteAsync("bo", "Plays chess on Thursdays with the Nordbank team");
        await fixture.WriteAsync("bo", "Prefers window seats on flights");
        var xss = await fixture.WriteAsync("mallory", Xss, type: "fact");
        var foreign = await fixture.WriteAsync("gil", "Globex secret plan", tenant: "globex");

        // An agent searches through MCP with the official C# client, so the memory's read log has an entry.
        var agentKey = (await fixture.Keys.CreateAsync(
            new MemoryApiKeyRequest { Tenant = "acme", Actor = MemoryActor.Agent("concierge"), ActingFor = ["ana"], Label = "browser test agent" }, ct)).Secret;
        await using (var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = fixture.Server.McpEndpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + agentKey },
            }),
            cancellationToken: ct))
        {
            var result = await client.CallToolAsync(
                "search_by_semantics",
                new Dictionary<string, object?> { ["scope"] = new Dictionary<string, object?> { ["subject"] = "ana", ["kind"] = "personal" }, ["query"] = "is ana allergic to peanuts" },
                cancellationToken: ct);
            Assert.True(result.IsError != true, "search_by_semantics failed");
            var ids = result.StructuredContent!.Value.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("record").GetProperty("id").GetString());
            Assert.Contains(evidence.Id.ToString(), ids);
        }

        var update = Environment.GetEnvironmentVariable("SKMEMORY_UPDATE_SCREENSHOTS") == "1";
        var output = update ? Path.Combine(SkmemProcess.RepositoryRoot, "docs", "images") : Path.Combine(_temp, "screenshots");
        var arguments = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["baseUrl"] = fixture.Server.BaseAddress.AbsoluteUri,
            ["adminKey"] = fixture.AdminSecret,
            ["subjectKey"] = fixture.AnaSecret,
            ["outDir"] = output,
            ["chromium"] = Chromium,
            ["timezone"] = "America/New_York",
            ["ids"] = new Dictionary<string, string>
            {
                ["evidence"] = evidence.Id.ToString(),
                ["xss"] = xss.Id.ToString(),
                ["foreign"] = foreign.Id.ToString(),
                ["ownMemory"] = own.Id.ToString(),
                ["otherSubjectMemory"] = bos.Id.ToString(),
            },
            ["search"] = "allergic to peanuts",
            ["evidenceQuote"] = "I am allergic to peanuts, so please keep them out of anything you order for me",
            ["evidenceMessage"] = "msg-41",
            ["mcpReader"] = "agent:concierge",
            ["correctedText"] = "Allergic to peanuts and cashews",
            ["correctReason"] = "ana added cashews in chat msg-57",
            ["purgeReason"] = "GDPR erasure request #12",
            ["admin"] = "user:admin",
            ["subject"] = "user:ana",
            ["foreignText"] = "Globex secret plan",
            ["otherSubjectText"] = "Nordbank",
        });

        var (exitCode, stdout, stderr) = await SkmemProcess.RunAsync(node!, ["inspector.mjs", arguments], folder, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        var steps = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var document = JsonDocument.Parse(line);
            var step = document.RootElement.Clone();
            Assert.True(step.GetProperty("ok").GetBoolean(), $"browser step failed: {line}\nstderr:\n{stderr}");
            steps.Add(step.GetProperty("step").GetString()!, step);
        }

        Assert.True(exitCode == 0, $"node inspector.mjs exited with {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Equal(Steps, steps.Keys);

        Assert.Contains(evidence.Id.ToString(), steps["browse"].GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(evidence.Id.ToString(), steps["search"].GetProperty("ids")[0].GetString());
        Assert.Equal("Allergic to peanuts", steps["open"].GetProperty("text").GetString());
        Assert.Equal(["msg-41"], steps["evidence"].GetProperty("messages").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("created", steps["history"].GetProperty("events")[0].GetString());
        var time = steps["local_time"];
        Assert.Equal("2026-03-04T15:06:07Z", time.GetProperty("datetime").GetString());
        Assert.Equal("2026-03-04 15:06:07 UTC", time.GetProperty("fallback").GetString());
        Assert.Matches(@"^3/4/2026, 10:06:07\sAM$", time.GetProperty("shown").GetString());
        Assert.Contains(steps["read_log"].GetProperty("reads").EnumerateArray(), r => r[1].GetString() == "agent:concierge" && r[2].GetString() == "search");

        var corrected = Guid.Parse(steps["correct"].GetProperty("id").GetString()!);
        Assert.Equal("user:admin", steps["supersede_history"].GetProperty("actor").GetString());
        Assert.Equal(MemoryStatus.Superseded, (await fixture.Store.GetAsync("acme", evidence.Id, ct))!.Status);
        var purged = await fixture.Store.GetAsync("acme", corrected, ct);
        Assert.Equal(MemoryStatus.Deleted, purged!.Status);
        Assert.Equal(string.Empty, purged.Value.Text);
        Assert.Equal("GDPR erasure request #12", steps["purge"].GetProperty("reason").GetString());
        Assert.Equal("user:admin", steps["purge"].GetProperty("actor").GetString());

        Assert.Equal(Xss, steps["xss"].GetProperty("shown").GetString());
        Assert.Equal("undefined", steps["xss"].GetProperty("xss").GetString());
        Assert.Equal(404, steps["foreign_tenant"].GetProperty("status").GetInt32());
        Assert.Equal("/inspector/signin", steps["signout"].GetProperty("url").GetString());
        Assert.Equal(["ana"], steps["subject_browse"].GetProperty("subjects").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(403, steps["subject_refused"].GetProperty("status").GetInt32());

        foreach (var name in Screenshots)
        {
            var file = Path.Combine(output, $"inspector-{name}.png");
            Assert.True(File.Exists(file), $"no screenshot {file}");
            var bytes = await File.ReadAllBytesAsync(file, ct);
            Assert.True(bytes.Length > 1000, $"{file} is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
