using System.Net;
using System.Net.Sockets;
using Xunit;

namespace SkMemory.Cli.Tests;

/// <summary><c>skmem serve</c> in process: the banner, the health endpoint, a clean stop on cancellation, a taken port.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Serve_prints_its_banner_answers_health_and_stops_cleanly()
    {
        var output = new StringWriter();
        var error = new SynchronizedWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = SkMemoryCli.InvokeAsync(["serve", "--port", "0", "--embedder", "none", "--store", _cli.StorePath], output, error, stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!error.Text.Contains("Ctrl+C stops the server", StringComparison.Ordinal) && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var banner = error.Text;
        Assert.False(run.IsCompleted, $"serve ended early:\n{banner}");
        Assert.Contains("MCP endpoint  http://127.0.0.1:", banner, StringComparison.Ordinal);
        Assert.Contains("/inspector/ (sign in with an API key)", banner, StringComparison.Ordinal);
        Assert.Contains("0 live API keys", banner, StringComparison.Ordinal);
        Assert.Contains("skmem keys create --actor agent:<name>", banner, StringComparison.Ordinal);
        var health = banner.Split('\n').Single(l => l.TrimStart().StartsWith("health", StringComparison.Ordinal)).Trim()["health".Length..].Trim();
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(health), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inspector = banner.Split('\n').Single(l => l.TrimStart().StartsWith("inspector", StringComparison.Ordinal)).Trim()["inspector".Length..].Trim().Split(' ')[0];
        var signIn = await http.GetAsync(new Uri(inspector), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.EndsWith("/inspector/signin", signIn.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
        Assert.Contains("stopped", error.Text, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public async Task Serve_on_a_taken_port_exits_2_with_a_hint()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await _cli.RunAsync("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--embedder", "none");

        result.ShouldFail(ExitCodes.Usage);
        Assert.Contains($"port {port} on 127.0.0.1 is already in use", result.Error, StringComparison.Ordinal);
        Assert.Contains("--port", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"hold_below_confidence\": \"high\"}", "hold_below_confidence")]
    [InlineData("{\"hold_actor_kinds\": [\"robot\"]}", "hold_actor_kinds")]
    [InlineData("{\"hold_types\": \"preference\"}", "hold_types")]
    [InlineData("{\"hold_scope_kind\": [\"public\"]}", "hold_scope_kind")]
    public async Task Serve_with_a_bad_review_policy_exits_2_naming_the_field(string json, string field)
    {
        var path = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(path, json, TestContext.Current.CancellationToken);

        var result = await _cli.RunAsync("serve", "--port", "0", "--embedder", "none", "--review-policy", path);

        result.ShouldFail(ExitCodes.Usage);
        Assert.Contains($"error: {field}: in the review policy {path}, {field} ", result.Error, StringComparison.Ordinal);
        Assert.Contains("docs/inspector.md", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_missing_review_policy_file_exits_2()
    {
        var result = await _cli.RunAsync("serve", "--port", "0", "--embedder", "none", "--review-policy", Path.Combine(_cli.Folder, "nope.json"));

        result.ShouldFail(ExitCodes.Usage);
        Assert.Contains("review_policy: there is no review policy file at", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_review_policy_says_so_in_its_banner()
    {
        var path = _cli.NewFilePath(".json");
        await File.WriteAllTextAsync(path, "{\"hold_types\": [\"preference\"], \"hold_below_confidence\": 0.6, \"hold_actor_kinds\": [\"agent\"], \"hold_scope_kinds\": [\"public\"]}", TestContext.Current.CancellationToken);
        var output = new StringWriter();
        var error = new SynchronizedWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = SkMemoryCli.InvokeAsync(["serve", "--port", "0", "--embedder", "none", "--store", _cli.StorePath, "--review-policy", path], output, error, stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!error.Text.Contains("Ctrl+C stops the server", StringComparison.Ordinal) && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var banner = error.Text;
        Assert.False(run.IsCompleted, $"serve ended early:\n{banner}");
        Assert.Contains($"review        {path}: holds types preference; confidence below 0.6; writes by agent actors; public memories; admins approve or reject at http://127.0.0.1:", banner, StringComparison.Ordinal);
        Assert.Contains("/inspector/review", banner, StringComparison.Ordinal);
        await stop.CancelAsync();
        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
    }

    /// <summary>A writer the server's threads and the test can share.</summary>
    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }
    }
}
