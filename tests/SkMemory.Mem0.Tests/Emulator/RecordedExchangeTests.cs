using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>
/// Replays the recorded exchanges in Emulator/Recorded/*.json (taken from the Mem0 API reference's examples and error
/// tables) against a fresh emulator and compares status, headers and JSON shape. A file is a scenario: a list of steps,
/// each with method, path, headers, body and the expected status/headers/body; "save" keeps response values
/// (dotted paths) as {{variables}} for later steps.
/// </summary>
public sealed partial class RecordedExchangeTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Emulator", "Recorded");

    public static TheoryData<string> Scenarios => [.. Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_recorded_exchanges_are_copied_to_the_output()
    {
        Assert.True(Directory.GetFiles(Folder, "*.json").Length >= 10);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task A_recorded_exchange_replays_with_the_same_status_and_shape(string file)
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, file), ct))!.AsObject();
        await using var emulator = await Mem0Emulator.StartAsync(cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        var vars = new Dictionary<string, string>(StringComparer.Ordinal) { ["base"] = emulator.BaseAddress.ToString().TrimEnd('/') };
        var index = 0;
        foreach (var step in scenario["steps"]!.AsArray().Select(s => s!.AsObject()))
        {
            index++;
            var label = $"{file} step {index} ({step["method"]} {step["path"]}{(step["note"] is { } note ? ": " + note : string.Empty)})";
            using var request = new HttpRequestMessage(new HttpMethod(step["method"]!.GetValue<string>()), Substitute(step["path"]!.GetValue<string>(), vars));
            foreach (var (name, value) in step["headers"]?.AsObject() ?? [])
            {
                request.Headers.TryAddWithoutValidation(name, Substitute(value!.GetValue<string>(), vars));
            }

            if (step.ContainsKey("body"))
            {
                request.Content = new StringContent(Substitute(step["body"]!.ToJsonString(), vars), Encoding.UTF8);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var expect = step["expect"]!.AsObject();
            Assert.True((int)response.StatusCode == expect["status"]!.GetValue<int>(), $"{label}: expected {expect["status"]}, got {(int)response.StatusCode} {text}");
            foreach (var (name, pattern) in expect["headers"]?.AsObject() ?? [])
            {
                Assert.True(response.Headers.TryGetValues(name, out var values), $"{label}: missing header {name}");
                Assert.Matches(pattern!.GetValue<string>(), string.Join(",", values));
            }

            foreach (var name in expect["absent_headers"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            {
                Assert.False(response.Headers.Contains(name), $"{label}: unexpected header {name}");
            }

            var actual = JsonNode.Parse(text);
            if (expect.ContainsKey("body"))
            {
                var expected = JsonNode.Parse(Substitute(expect["body"]?.ToJsonString() ?? "null", vars));
                try
                {
                    JsonShape.Match(expected, actual);
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException)
                {
                    throw new Xunit.Sdk.XunitException($"{label}: {e.Message}\nbody: {text}");
                }
            }

            foreach (var (name, pathNode) in step["save"]?.AsObject() ?? [])
            {
                var node = actual;
                foreach (var part in pathNode!.GetValue<string>().Split('.'))
                {
                    node = int.TryParse(part, out var i) ? node![i] : node![part];
                }

                vars[name] = node!.GetValue<string>();
            }
        }
    }

    private static string Substitute(string text, Dictionary<string, string> vars) =>
        Variable().Replace(text, m => vars.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new InvalidOperationException($"unknown variable {m.Value}"));

    [GeneratedRegex(@"\{\{(\w+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
