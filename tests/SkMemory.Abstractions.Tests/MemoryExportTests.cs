using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Abstractions.Tests;

public sealed class MemoryExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriterThenReader_RoundTripsEventsObjectsAndCounts()
    {
        var records = new[] { TestData.Record("acme", "Ana prefers oat milk", 0), TestData.Record("acme", "Ana's café: flat white & <3 \"quotes\"", 1), TestData.Record("acme", "Ana's desk is 4B", 2) };
        var events = TestData.Chain(records);
        events[1] = Rehash(events[1] with { Payload = null }, events[0].Hash);
        events[2] = Rehash(events[2], events[1].Hash);

        var bytes = await TestData.ExportAsync(events, records);
        var items = await TestData.ReadAllAsync(bytes);

        Assert.Equal(events.Count + records.Length + 1, items.Count);
        Assert.Equal(Enumerable.Range(2, items.Count).Select(i => (long)i), items.Select(i => i.Line));
        Assert.Equal(events, items.Take(events.Count).Select(i => i.Event));
        Assert.Null(items[1].Event!.Payload);
        Assert.Equal(records, items.Skip(events.Count).Take(records.Length).Select(i => i.Record));
        Assert.Equal(new MemoryExportEnd(3, 3), items[^1].End);
        Assert.All(items.SkipLast(1), i => Assert.Null(i.End));

        var lines = TestData.Lines(bytes);
        Assert.Equal(8, lines.Count);
        Assert.DoesNotContain('\r', Encoding.UTF8.GetString(bytes));
        var header = JsonNode.Parse(lines[0])!;
        Assert.Equal("header", header["kind"]!.GetValue<string>());
        Assert.Equal(MemoryExportFormat.Name, header["format"]!.GetValue<string>());
        Assert.Equal(MemoryExportFormat.Version, header["format_version"]!.GetValue<int>());
        Assert.Equal(MemoryRecord.CurrentSchemaVersion, header["record_schema_version"]!.GetValue<int>());
        Assert.Equal("2025-01-01T00:00:00.000000Z", header["exported_at"]!.GetValue<string>());
        Assert.Equal("tests", header["producer"]!.GetValue<string>());

        // Payloads are embedded verbatim, so their hashes still match the bytes on the way back.
        Assert.Contains(events[0].Payload!, lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writer_CountsWhatItWrote()
    {
        var records = new[] { TestData.Record("acme", "one", 0), TestData.Record("acme", "two", 1) };
        using var stream = new MemoryStream();
        var writer = new MemoryExportWriter(stream);
        await using (writer)
        {
            await writer.WriteHeaderAsync(new MemoryExportHeader(MemoryExportFormat.Name, MemoryExportFormat.Version, 1, TestData.Start, "acme", "tests"), Ct);
            foreach (var e in TestData.Chain(records))
            {
                await writer.WriteEventAsync(e, Ct);
            }

            await writer.WriteObjectAsync(records[0], Ct);
            Assert.Equal(2, writer.EventCount);
            Assert.Equal(1, writer.ObjectCount);
            await writer.WriteEndAsync(Ct);
        }

        var end = JsonNode.Parse(TestData.Lines(stream.ToArray())[^1])!;
        Assert.Equal("end", end["kind"]!.GetValue<string>());
        Assert.Equal(2, end["event_count"]!.GetValue<long>());
        Assert.Equal(1, end["object_count"]!.GetValue<long>());
        Assert.Equal("acme", JsonNode.Parse(TestData.Lines(stream.ToArray())[0])!["tenant"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reader_BadJsonLine_NamesTheLine()
    {
        var lines = await TestData.ExportLinesAsync();
        lines[2] = lines[2][..(lines[2].Length / 2)];

        var error = await AssertInvalidAsync(lines, 3, null);
        Assert.Contains("JSON", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_MissingEndLine_IsTruncated()
    {
        var lines = await TestData.ExportLinesAsync();
        lines.RemoveAt(lines.Count - 1);

        var error = await AssertInvalidAsync(lines, lines.Count, null);
        Assert.Contains("truncated", error.Problem, StringComparison.Ordinal);

        // Cut in the middle of an event: still truncated, at the last complete line.
        var cut = (await TestData.ExportLinesAsync()).Take(3).ToList();
        await AssertInvalidAsync(cut, 3, null);
    }

    [Fact]
    public async Task Reader_EmptyFileOrNoHeader_IsRejectedOnLineOne()
    {
        await AssertInvalidAsync([], 1, null, raw: []);
        var lines = await TestData.ExportLinesAsync();
        await AssertInvalidAsync(lines.Skip(1).ToList(), 1, "kind");
        await AssertInvalidAsync(["""{"format":"skmemory-export"}"""], 1, "kind");
        await AssertInvalidAsync(["[1,2,3]"], 1, null);
    }

    [Fact]
    public async Task Reader_WrongFormat_NamesFormat()
    {
        var lines = await TestData.ExportLinesAsync();
        lines[0] = Edit(lines[0], h => h["format"] = "mem0-export");

        await AssertInvalidAsync(lines, 1, "format");
    }

    [Fact]
    public async Task Reader_WrongFormatVersion_NamesFormatVersion()
    {
        var lines = await TestData.ExportLinesAsync();
        foreach (var version in new[] { 0, 2 })
        {
            var edited = lines.ToList();
            edited[0] = Edit(lines[0], h => h["format_version"] = version);
            await AssertInvalidAsync(edited, 1, "format_version");
        }

        var wrongRecordVersion = lines.ToList();
        wrongRecordVersion[0] = Edit(lines[0], h => h["record_schema_version"] = 2);
        await AssertInvalidAsync(wrongRecordVersion, 1, "record_schema_version");
    }

    [Fact]
    public async Task Reader_PayloadWithOtherSchemaVersion_NamesPayloadSchemaVersion()
    {
        var lines = await TestData.ExportLinesAsync();
        lines[2] = EditPayload(lines[2], p => p["schema_version"] = 2, rehash: true);

        var error = await AssertInvalidAsync(lines, 3, "payload.schema_version");
        Assert.IsType<MemoryValidationException>(error.InnerException);
    }

    [Fact]
    public async Task Reader_PayloadNotMatchingItsHash_NamesPayloadHash()
    {
        var lines = await TestData.ExportLinesAsync();
        lines[3] = EditPayload(lines[3], p => p["value"]!["text"] = "Ana's desk is 9Z", rehash: false);

        await AssertInvalidAsync(lines, 4, "payload_hash");
    }

    [Fact]
    public async Task Reader_EventFieldProblems_NameTheField()
    {
        var lines = await TestData.ExportLinesAsync();
        var cases = new (Action<JsonObject> Edit, string Field)[]
        {
            (e => e["hash"] = "NOT-A-HASH", "hash"),
            (e => e["previous_hash"] = new string('A', 64), "previous_hash"),
            (e => e.Remove("payload"), "payload"),
            (e => e["payload"] = "text", "payload"),
            (e => e["sequence"] = 0, "sequence"),
            (e => e["sequence"] = "1", "sequence"),
            (e => e["stream_version"] = 0, "stream_version"),
            (e => e["event_type"] = "archived", "event_type"),
            (e => e["actor"]!["kind"] = "robot", "actor.kind"),
            (e => e["actor"]!["id"] = string.Empty, "actor.id"),
            (e => e["event_id"] = "not-a-guid", "event_id"),
            (e => e["occurred_at"] = "yesterday", "occurred_at"),
            (e => e.Remove("tenant"), "tenant"),
        };

        foreach (var (edit, field) in cases)
        {
            var edited = lines.ToList();
            edited[1] = EditKeepingPayload(lines[1], edit);
            await AssertInvalidAsync(edited, 2, field);
        }
    }

    [Fact]
    public async Task Reader_EndCountsNotMatchingTheLines_AreRejectedOnTheEndLine()
    {
        var lines = await TestData.ExportLinesAsync();
        var end = lines.Count;

        var moreEvents = lines.ToList();
        moreEvents[^1] = Edit(lines[^1], e => e["event_count"] = 4);
        var error = await AssertInvalidAsync(moreEvents, end, "event_count");
        Assert.Contains("missing", error.Problem, StringComparison.Ordinal);

        var fewerObjects = lines.ToList();
        fewerObjects[^1] = Edit(lines[^1], e => e["object_count"] = 2);
        var objectError = await AssertThrowsAsync(fewerObjects);
        Assert.Equal(end, objectError.Line);
        Assert.NotNull(objectError.Field);

        // An object line removed: the counts on the end line no longer match the file.
        var missingObject = lines.ToList();
        missingObject.RemoveAt(5);
        Assert.Equal(end - 1, (await AssertThrowsAsync(missingObject)).Line);
    }

    [Fact]
    public async Task Reader_ContentAfterTheEndLine_IsRejected()
    {
        var lines = await TestData.ExportLinesAsync();
        var end = lines.Count;

        await AssertInvalidAsync([.. lines, lines[1]], end + 1, null);
        await AssertInvalidAsync([.. lines, string.Empty, lines[1]], end + 1, null);
    }

    [Fact]
    public async Task Reader_EmptyOrBlankLine_IsRejected()
    {
        var lines = await TestData.ExportLinesAsync();

        var blank = lines.ToList();
        blank.Insert(2, string.Empty);
        var error = await AssertInvalidAsync(blank, 3, null);
        Assert.Contains("empty", error.Problem, StringComparison.Ordinal);

        var spaces = lines.ToList();
        spaces.Insert(4, "   ");
        await AssertInvalidAsync(spaces, 5, null);
    }

    [Fact]
    public async Task Reader_UnknownOrRepeatedLineKind_NamesKind()
    {
        var lines = await TestData.ExportLinesAsync();

        var unknown = lines.ToList();
        unknown[2] = """{"kind":"comment","text":"hello"}""";
        await AssertInvalidAsync(unknown, 3, "kind");

        var secondHeader = lines.ToList();
        secondHeader.Insert(1, lines[0]);
        await AssertInvalidAsync(secondHeader, 2, "kind");
    }

    [Fact]
    public async Task Reader_ObjectLineWithBadRecord_NamesTheRecordField()
    {
        var lines = await TestData.ExportLinesAsync();
        var objectLine = lines.Count - 2;

        var wrongVersion = lines.ToList();
        wrongVersion[objectLine - 1] = Edit(lines[objectLine - 1], o => o["record"]!["schema_version"] = 5);
        await AssertInvalidAsync(wrongVersion, objectLine, "record.schema_version");

        var missing = lines.ToList();
        missing[objectLine - 1] = Edit(lines[objectLine - 1], o => o.Remove("record"));
        await AssertInvalidAsync(missing, objectLine, "record");
    }

    [Fact]
    public async Task Reader_InvalidUtf8_IsRejected()
    {
        var bytes = TestData.Join(await TestData.ExportLinesAsync());
        var broken = bytes.Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var error = await AssertThrowsAsync(broken);
        Assert.Contains("UTF-8", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_CancelledToken_Throws()
    {
        var bytes = TestData.Join(await TestData.ExportLinesAsync());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var stream = new MemoryStream(bytes);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in MemoryExportReader.ReadAsync(stream, cancelled.Token))
            {
                Assert.Fail($"read line {item.Line} after cancellation");
            }
        });
    }

    [Fact]
    public void ImportException_MessageNamesLineAndField()
    {
        var error = new MemoryImportException(MemoryErrorCode.ImportInvalid, 12, "payload_hash", "does not match");

        Assert.Equal(12, error.Line);
        Assert.Equal("payload_hash", error.Field);
        Assert.Equal("does not match", error.Problem);
        Assert.Equal(MemoryErrorCode.ImportInvalid, error.Code);
        Assert.Equal("line 12, field 'payload_hash': does not match. Nothing was imported.", error.Message);
        Assert.Equal("line 3: empty line. Nothing was imported.", new MemoryImportException(MemoryErrorCode.ImportInvalid, 3, null, "empty line").Message);
    }

    private static async Task<MemoryImportException> AssertInvalidAsync(List<string> lines, long line, string? field, byte[]? raw = null)
    {
        var error = await AssertThrowsAsync(raw ?? TestData.Join(lines));
        Assert.Equal(MemoryErrorCode.ImportInvalid, error.Code);
        Assert.Equal(line, error.Line);
        Assert.Equal(field, error.Field);
        Assert.StartsWith($"line {line}", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static Task<MemoryImportException> AssertThrowsAsync(List<string> lines) => AssertThrowsAsync(TestData.Join(lines));

    private static Task<MemoryImportException> AssertThrowsAsync(byte[] bytes) =>
        Assert.ThrowsAsync<MemoryImportException>(() => TestData.ReadAllAsync(bytes));

    private static MemoryEvent Rehash(MemoryEvent e, string previous)
    {
        var linked = e with { PreviousHash = previous };
        return linked with { Hash = MemoryEventChain.ComputeHash(linked) };
    }

    private static string Edit(string line, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }

    /// <summary>Edits an event line's other fields while keeping its payload's exact text (so its hash still matches).</summary>
    private static string EditKeepingPayload(string line, Action<JsonObject> edit)
    {
        using var document = JsonDocument.Parse(line);
        var payload = document.RootElement.GetProperty("payload").GetRawText();
        var node = JsonNode.Parse(line)!.AsObject();
        node["payload"] = "__PAYLOAD__";
        edit(node);
        return node.ToJsonString().Replace("\"__PAYLOAD__\"", payload, StringComparison.Ordinal);
    }

    private static string EditPayload(string line, Action<JsonObject> edit, bool rehash)
    {
        using var document = JsonDocument.Parse(line);
        var oldPayload = document.RootElement.GetProperty("payload").GetRawText();
        var oldHash = document.RootElement.GetProperty("payload_hash").GetString()!;
        var payload = JsonNode.Parse(oldPayload)!.AsObject();
        edit(payload);
        var newPayload = payload.ToJsonString();
        var edited = line.Replace(oldPayload, newPayload, StringComparison.Ordinal);
        return rehash ? edited.Replace(oldHash, MemoryEventChain.ComputePayloadHash(newPayload), StringComparison.Ordinal) : edited;
    }
}
