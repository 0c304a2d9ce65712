using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkMemory.Capture;
using SkMemory.Tests.Retrieval;

namespace SkMemory.Tests.Capture;

public sealed class MemoryGateTests
{
    private static readonly DateTimeOffset Monday = new(2023, 5, 8, 10, 0, 0, TimeSpan.Zero);

    private static readonly MemoryExtractionRequest Source = new()
    {
        Tenant = "acme",
        Messages =
        [
            new MemoryMessage { Id = "m1", Speaker = "Ana", Text = "I switched from almond to oat milk last week.", ObservedAt = Monday },
            new MemoryMessage { Id = "m2", Speaker = "Ana", Text = "I'm in a hurry today, keep it short.", ObservedAt = Monday },
            new MemoryMessage { Id = "m3", Speaker = "assistant", Role = MemoryMessageRole.Assistant, Text = "You probably prefer window seats.", ObservedAt = Monday },
            new MemoryMessage { Id = "m4", Speaker = "Ana", Text = "Here is my loop: for (var i = 0; i < n; i++) { total += f(i); }", ObservedAt = Monday },
            new MemoryMessage { Id = "m5", Speaker = "Ana", Text = "Should I learn Rust next year?", ObservedAt = Monday },
            new MemoryMessage { Id = "m6", Speaker = "Ana", Text = "I'm so tired of spam calls; never call me before 9am.", ObservedAt = Monday },
        ],
        ToolOutputs = [new MemoryToolOutput { ToolCallId = "call-1", ToolName = "crm.lookup", Text = """{"tier":"gold","city":"Lisbon"}""", ObservedAt = Monday }],
        Documents =
        [
            new MemoryDocument { Name = "profile.md", Text = "Ana is fluent in Portuguese and Spanish.", ObservedAt = Monday },
            new MemoryDocument { Name = "https://example.org/milk", Text = "Oat milk is the most popular plant milk in Europe.", ObservedAt = Monday, External = true },
        ],
    };

    [Fact]
    public void Accepts_a_candidate_whose_evidence_is_in_the_input()
    {
        var gate = new MemoryGate(new MemoryTypeRegistry());

        Assert.Null(gate.Evaluate(Candidate("Ana prefers oat milk", "m1", "switched from almond to oat milk") with { Confidence = 0.9 }, Source));
        Assert.Null(gate.Evaluate(Candidate("Ana is fluent in Portuguese", quote: "fluent in Portuguese", type: MemoryTypes.Skill) with { Evidence = DocumentEvidence(0, "fluent in Portuguese") }, Source));
        Assert.Null(gate.Evaluate(Candidate("Ana is a gold-tier customer", quote: "\"tier\":\"gold\"", type: MemoryTypes.Fact) with { Evidence = new MemoryProvenance { SourceKind = MemorySourceKind.Tool, ToolCallIds = ["call-1"], QuotedSpans = ["\"tier\":\"gold\""] } }, Source));

        // "Tired of" is a dislike, not a passing state; the quoted span may differ in case and line wrapping.
        Assert.Null(gate.Evaluate(Candidate("Ana does not want calls before 9am", "m6", "NEVER call me\n before 9am", MemoryTypes.Constraint), Source));
    }

    public static TheoryData<string, MemoryCandidate, MemoryRejectionReason, string> Rejections() => new()
    {
        { "unregistered type", Candidate("Ana likes jazz", "m1", null, "hobby"), MemoryRejectionReason.TypeNotCaptured, "type \"hobby\" is not registered" },
        { "blank text", Candidate("  ", "m1", null), MemoryRejectionReason.InvalidValue, "blank" },
        { "no evidence", Candidate("Ana prefers oat milk", null, null), MemoryRejectionReason.NoEvidence, "cites no message" },
        { "unknown message", Candidate("Ana prefers oat milk", "m9", null), MemoryRejectionReason.EvidenceNotFound, "message \"m9\"" },
        { "unknown tool call", Candidate("Ana is gold tier", null, null) with { Evidence = new MemoryProvenance { ToolCallIds = ["call-9"] } }, MemoryRejectionReason.EvidenceNotFound, "tool call \"call-9\"" },
        { "unknown file", Candidate("Ana is gold tier", null, null) with { Evidence = new MemoryProvenance { FileHashes = ["sha256:00"] } }, MemoryRejectionReason.EvidenceNotFound, "file sha256:00" },
        { "invented quote", Candidate("Ana prefers soy milk", "m1", "switched to soy milk"), MemoryRejectionReason.EvidenceNotFound, "does not occur in the sources it cites" },
        { "quote without a source", Candidate("Ana prefers soy milk", null, "switched to soy milk"), MemoryRejectionReason.EvidenceNotFound, "it cites none" },
        { "assistant guess", Candidate("Ana prefers window seats", "m3", "prefer window seats"), MemoryRejectionReason.AssistantSpeculation, "assistant's guess" },
        { "web page", Candidate("Oat milk is popular in Europe", quote: "most popular plant milk") with { Evidence = DocumentEvidence(1, "most popular plant milk") }, MemoryRejectionReason.ExternalContent, "quoted from outside" },
        { "code snippet", Candidate("Ana's loop sums f(i)", "m4", "for (var i = 0; i < n; i++) { total += f(i); }"), MemoryRejectionReason.CodeSnippet, "code snippet" },
        { "question", Candidate("Ana might learn Rust", "m5", "Should I learn Rust next year?"), MemoryRejectionReason.Hypothetical, "hypothetical" },
        { "passing state", Candidate("Ana is in a hurry", "m2", "I'm in a hurry today"), MemoryRejectionReason.Transient, "true only now" },
        { "flagged by the extractor", Candidate("Ana is in Lisbon", "m1", null) with { Signals = [MemoryCandidateSignal.Transient] }, MemoryRejectionReason.Transient, "true only now" },
        { "low confidence", Candidate("Ana prefers oat milk", "m1", "oat milk") with { Confidence = 0.3 }, MemoryRejectionReason.LowConfidence, "confidence 0.3 is under the preference threshold 0.5" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Rejects_with_the_rule_that_applies_and_logs_it(string rule, MemoryCandidate candidate, MemoryRejectionReason reason, string detail)
    {
        using var logs = new RecordingLoggerFactory();
        var gate = new MemoryGate(new MemoryTypeRegistry(), loggerFactory: logs);

        var rejection = gate.Evaluate(candidate, Source);

        Assert.NotNull(rejection);
        Assert.True(reason == rejection.Reason, $"{rule}: expected {reason}, got {rejection.Reason} ({rejection.Detail})");
        Assert.Contains(detail, rejection.Detail, StringComparison.Ordinal);
        Assert.Same(candidate, rejection.Candidate);
        Assert.Equal([LogLevel.Information, LogLevel.Trace], logs.Entries.Select(e => e.Level));
        var (visible, sensitive) = (logs.Entries[0].Message, logs.Entries[1].Message);
        Assert.Contains($"({MemoryJson.EnumName(reason)})", visible, StringComparison.Ordinal);
        Assert.Contains(candidate.Type, visible, StringComparison.Ordinal);

        // Content (the subject, quoted spans in the detail) only at Trace.
        Assert.DoesNotContain("ana", visible, StringComparison.Ordinal);
        Assert.Contains($"about ana ({MemoryJson.EnumName(reason)}): {rejection.Detail}", sensitive, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_longer_than_the_limit_is_not_a_memory()
    {
        var gate = new MemoryGate(new MemoryTypeRegistry(), new MemoryGateOptions { MaxValueBytes = 40 });

        var rejection = gate.Evaluate(Candidate("Ana prefers oat milk in her flat white, always", "m1", null), Source);

        Assert.Equal(MemoryRejectionReason.InvalidValue, rejection?.Reason);
        Assert.Contains("longer than 40 UTF-8 bytes", rejection!.Detail, StringComparison.Ordinal);
        Assert.Null(gate.Evaluate(Candidate("Ana prefers oat milk", "m1", null), Source));
    }

    [Fact]
    public void A_structured_value_must_match_its_types_schema()
    {
        var types = new MemoryTypeRegistry().Register(new MemoryTypeDefinition("address", "A postal address.", """{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}"""));
        var gate = new MemoryGate(types);
        using var bad = JsonDocument.Parse("""{"street":"Rua Augusta 1"}""");
        using var good = JsonDocument.Parse("""{"city":"Lisbon"}""");

        var rejection = gate.Evaluate(Candidate("Ana lives at Rua Augusta 1", "m1", null, "address") with { Value = new MemoryValue("Ana lives at Rua Augusta 1", bad.RootElement.Clone()) }, Source);

        Assert.Equal(MemoryRejectionReason.InvalidValue, rejection?.Reason);
        Assert.Contains("does not match the address schema", rejection!.Detail, StringComparison.Ordinal);
        Assert.Null(gate.Evaluate(Candidate("Ana lives in Lisbon", "m1", null, "address") with { Value = new MemoryValue("Ana lives in Lisbon", good.RootElement.Clone()) }, Source));
    }

    [Fact]
    public void Rules_are_configurable_per_type()
    {
        var options = new MemoryGateOptions { Default = new MemoryGateRule { MinConfidence = 0.2 } };
        options.Types[MemoryTypes.Preference] = new MemoryGateRule { MinConfidence = 0.8 };
        options.Types[MemoryTypes.Event] = new MemoryGateRule { AllowedSignals = new HashSet<MemoryCandidateSignal> { MemoryCandidateSignal.Transient } };
        options.Types[MemoryTypes.Skill] = new MemoryGateRule { Capture = false };
        options.Types[MemoryTypes.Fact] = new MemoryGateRule { RequireEvidence = false };
        var gate = new MemoryGate(new MemoryTypeRegistry(), options);

        // Changing the options after the gate is built changes nothing: they were copied.
        options.Types[MemoryTypes.Preference] = new MemoryGateRule { MinConfidence = 0 };

        Assert.Equal(MemoryRejectionReason.LowConfidence, gate.Evaluate(Candidate("Ana prefers oat milk", "m1", "oat milk") with { Confidence = 0.7 }, Source)?.Reason);
        Assert.Null(gate.Evaluate(Candidate("Ana is a gold-tier customer", "m1", null, MemoryTypes.Constraint) with { Confidence = 0.3 }, Source));
        Assert.Null(gate.Evaluate(Candidate("Ana is in a hurry on 2023-05-08", "m2", "I'm in a hurry today", MemoryTypes.Event), Source));
        Assert.Equal(MemoryRejectionReason.Transient, gate.Evaluate(Candidate("Ana is in a hurry", "m2", "I'm in a hurry today", MemoryTypes.Fact), Source)?.Reason);
        Assert.Equal(MemoryRejectionReason.TypeNotCaptured, gate.Evaluate(Candidate("Ana speaks Spanish", "m1", null, MemoryTypes.Skill), Source)?.Reason);
        Assert.Null(gate.Evaluate(Candidate("Ana lives in Lisbon", null, null, MemoryTypes.Fact), Source));
    }

    [Fact]
    public void Invalid_options_fail_at_construction()
    {
        var options = new MemoryGateOptions();
        options.Types["event"] = new MemoryGateRule { MinConfidence = 1.5 };

        var error = Assert.Throws<ArgumentException>(() => new MemoryGate(new MemoryTypeRegistry(), options));
        Assert.Contains("event", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("I'm vegetarian and allergic to peanuts.")]
    [InlineData("I moved to Lisbon in 2019; I love it there.")]
    [InlineData("My GitHub handle is @ana-dev (personal).")]
    [InlineData("I'm starting a new job today at Contoso.")]
    [InlineData("According to my doctor I have celiac disease.")]
    [InlineData("I'm a late riser and I'm sick of early meetings.")]
    public void Durable_statements_carry_no_contamination_signal(string text) =>
        Assert.Empty(ContaminationSignals.Detect(text));

    [Theory]
    [InlineData("I'm really busy right now", MemoryCandidateSignal.Transient)]
    [InlineData("I want pizza tonight", MemoryCandidateSignal.Transient)]
    [InlineData("feeling exhausted", MemoryCandidateSignal.Transient)]
    [InlineData("```python\nprint(1)\n```", MemoryCandidateSignal.CodeSnippet)]
    [InlineData("System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.Enumerable.First()", MemoryCandidateSignal.CodeSnippet)]
    [InlineData("const total = items.reduce((a, b) => a + b);", MemoryCandidateSignal.CodeSnippet)]
    [InlineData("What if I moved to Berlin", MemoryCandidateSignal.Hypothetical)]
    [InlineData("do you think I should switch to Go?", MemoryCandidateSignal.Hypothetical)]
    [InlineData("According to the article, oat milk is healthier", MemoryCandidateSignal.ExternalContent)]
    [InlineData("> Oat milk is the most popular plant milk", MemoryCandidateSignal.ExternalContent)]
    public void Contamination_is_recognized(string text, MemoryCandidateSignal signal) =>
        Assert.Contains(signal, ContaminationSignals.Detect(text));

    private static MemoryCandidate Candidate(string text, string? messageId = null, string? quote = null, string type = MemoryTypes.Preference) => new()
    {
        Type = type,
        Subject = "ana",
        Value = text,
        Confidence = 0.8,
        Extractor = "test",
        Evidence = new MemoryProvenance
        {
            SourceKind = MemorySourceKind.Message,
            MessageIds = messageId is null ? [] : [messageId],
            QuotedSpans = quote is null ? [] : [quote],
            ObservedAt = Monday,
        },
    };

    private static MemoryProvenance DocumentEvidence(int document, string quote) =>
        new() { SourceKind = MemorySourceKind.Document, FileHashes = [Source.Documents[document].ContentHash], QuotedSpans = [quote] };
}
