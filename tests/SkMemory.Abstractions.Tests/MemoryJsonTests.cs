using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Abstractions.Tests;

public sealed class MemoryJsonTests
{
    [Fact]
    public void SerializeRecord_ThenDeserialize_GivesAnEqualRecord()
    {
        var record = TestData.Record("acme", "Ana prefers oat milk");

        var json = MemoryJson.SerializeRecord(record);
        var back = MemoryJson.DeserializeRecord(json);

        Assert.Equal(record, back);
        Assert.Equal(record.Value.Structured?.GetRawText(), back.Value.Structured?.GetRawText());
        Assert.Equal(json, MemoryJson.SerializeRecord(back));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(record, MemoryJson.DeserializeRecord(document.RootElement));
    }

    [Fact]
    public void SerializeRecord_MinimalRecord_RoundTripsWithDefaults()
    {
        var record = new MemoryRecord
        {
            Id = Guid.CreateVersion7(TestData.Start),
            Tenant = "t",
            Type = MemoryTypes.Fact,
            Scope = MemoryScope.Personal,
            Subject = "ana",
            Actor = MemoryActor.User("ana"),
            Value = "Ana is a nurse",
            CreatedAt = TestData.Start,
            UpdatedAt = TestData.Start,
            ValidFrom = TestData.Start,
            ContentHash = "abc",
        };

        var json = MemoryJson.SerializeRecord(record);
        var back = MemoryJson.DeserializeRecord(json);

        Assert.Equal(record, back);
        Assert.Equal(MemoryStatus.Active, back.Status);
        Assert.Equal(1, back.Version);
        Assert.Equal(1, back.Confidence);
        Assert.Equal(0.5, back.Salience);
        Assert.Null(back.Value.Structured);
        Assert.Empty(back.Metadata);
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var omitted in new[] { "valid_to", "ttl", "supersedes", "superseded_by", "deletion_reason", "idempotency_key", "expires_at" })
        {
            Assert.False(root.ContainsKey(omitted), $"null field {omitted} must be omitted");
        }
    }

    [Fact]
    public void SerializeRecord_UsesSnakeCaseNamesAndSchemaVersionFirst()
    {
        var json = MemoryJson.SerializeRecord(TestData.Record("acme", "Ana prefers oat milk"));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        var first = root.EnumerateObject().First();
        Assert.Equal("schema_version", first.Name);
        Assert.Equal(MemoryRecord.CurrentSchemaVersion, first.Value.GetInt32());
        Assert.StartsWith("{\"schema_version\":1,", json, StringComparison.Ordinal);
        foreach (var name in new[] { "id", "tenant", "type", "scope", "subject", "actor", "value", "value_schema_version", "provenance", "confidence", "salience", "decay_policy", "created_at", "updated_at", "valid_from", "valid_to", "ttl", "status", "supersedes", "superseded_by", "version", "metadata", "idempotency_key", "content_hash", "expires_at" })
        {
            Assert.True(root.TryGetProperty(name, out _), $"missing {name}");
        }

        Assert.True(root.GetProperty("provenance").TryGetProperty("message_ids", out _));
        Assert.True(root.GetProperty("provenance").TryGetProperty("observed_at", out _));
        Assert.True(root.GetProperty("decay_policy").TryGetProperty("half_life", out _));
        Assert.Equal("Ana prefers oat milk", root.GetProperty("value").GetProperty("text").GetString());
        Assert.Equal("oat", root.GetProperty("value").GetProperty("structured").GetProperty("milk").GetString());
        Assert.False(root.TryGetProperty("Id", out _));
    }

    [Fact]
    public void SerializeRecord_WritesEnumsAsWireNames()
    {
        var record = TestData.Record("acme", "x") with { Status = MemoryStatus.Deleted, DeletionReason = "asked to forget" };
        using var document = JsonDocument.Parse(MemoryJson.SerializeRecord(record));
        var root = document.RootElement;

        Assert.Equal("deleted", root.GetProperty("status").GetString());
        Assert.Equal("team", root.GetProperty("scope").GetProperty("kind").GetString());
        Assert.Equal("agent", root.GetProperty("actor").GetProperty("kind").GetString());
        Assert.Equal("message", root.GetProperty("provenance").GetProperty("source_kind").GetString());
        Assert.Equal("exponential", root.GetProperty("decay_policy").GetProperty("kind").GetString());
    }

    [Fact]
    public void DeserializeRecord_OtherSchemaVersion_ThrowsValidationNamingSchemaVersion()
    {
        var node = JsonNode.Parse(MemoryJson.SerializeRecord(TestData.Record("acme", "x")))!.AsObject();
        foreach (var version in new[] { 0, 2, 99 })
        {
            node["schema_version"] = version;
            var error = Assert.Throws<MemoryValidationException>(() => MemoryJson.DeserializeRecord(node.ToJsonString()));
            Assert.Equal("schema_version", error.Field);
            Assert.Equal(MemoryErrorCode.Validation, error.Code);
        }
    }

    [Fact]
    public void DeserializeRecord_MissingSchemaVersionOrNotARecord_ThrowsJsonException()
    {
        var node = JsonNode.Parse(MemoryJson.SerializeRecord(TestData.Record("acme", "x")))!.AsObject();
        node.Remove("schema_version");

        Assert.Throws<JsonException>(() => MemoryJson.DeserializeRecord(node.ToJsonString()));
        Assert.Throws<JsonException>(() => MemoryJson.DeserializeRecord("null"));
        Assert.Throws<JsonException>(() => MemoryJson.DeserializeRecord("""{"schema_version":1}"""));
        Assert.Throws<JsonException>(() => MemoryJson.DeserializeRecord("[1]"));
        Assert.ThrowsAny<JsonException>(() => MemoryJson.DeserializeRecord("{not json"));
    }

    [Fact]
    public void EnumName_GivesTheWireNames()
    {
        Assert.Equal("consent_changed", MemoryJson.EnumName(MemoryEventType.ConsentChanged));
        Assert.Equal("created", MemoryJson.EnumName(MemoryEventType.Created));
        Assert.Equal("personal", MemoryJson.EnumName(MemoryScopeKind.Personal));
        Assert.Equal("superseded", MemoryJson.EnumName(MemoryStatus.Superseded));
        Assert.Equal("service", MemoryJson.EnumName(MemoryActorKind.Service));
        Assert.Equal("derived", MemoryJson.EnumName(MemorySourceKind.Derived));
        Assert.Equal("idempotent_replay", MemoryJson.EnumName(MemoryWriteOutcome.IdempotentReplay));
        Assert.Equal("duplicate_content", MemoryJson.EnumName(MemoryWriteOutcome.DuplicateContent));
        Assert.Equal("exponential", MemoryJson.EnumName(MemoryDecayKind.Exponential));
        Assert.Equal(
            ["created", "updated", "superseded", "merged", "redacted", "expired", "deleted", "restored", "consent_changed"],
            Enum.GetValues<MemoryEventType>().Select(v => MemoryJson.EnumName(v)));
    }

    [Fact]
    public void TryParseEnum_RoundTripsEveryMemberAndRejectsUnknownNames()
    {
        AssertRoundTrip<MemoryEventType>();
        AssertRoundTrip<MemoryStatus>();
        AssertRoundTrip<MemoryScopeKind>();
        AssertRoundTrip<MemoryActorKind>();
        AssertRoundTrip<MemorySourceKind>();
        AssertRoundTrip<MemoryDecayKind>();
        AssertRoundTrip<MemoryWriteOutcome>(serializable: false); // MemoryWriteResult is not in MemoryJsonContext

        Assert.False(MemoryJson.TryParseEnum<MemoryStatus>("Active", out _));
        Assert.False(MemoryJson.TryParseEnum<MemoryStatus>("archived", out _));
        Assert.False(MemoryJson.TryParseEnum<MemoryEventType>("ConsentChanged", out _));
        Assert.Contains("consent_changed", MemoryJson.EnumNamesOf<MemoryEventType>());

        static void AssertRoundTrip<TEnum>(bool serializable = true)
            where TEnum : struct, Enum
        {
            var values = Enum.GetValues<TEnum>();
            Assert.Equal(values.Length, MemoryJson.EnumNamesOf<TEnum>().Count);
            foreach (var value in values)
            {
                var name = MemoryJson.EnumName(value);
                Assert.Equal(name.ToLowerInvariant(), name);
                Assert.True(MemoryJson.TryParseEnum<TEnum>(name, out var parsed));
                Assert.Equal(value, parsed);
                if (serializable)
                {
                    Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(value, MemoryJson.Options));
                }
            }
        }
    }

    [Fact]
    public void Filter_EffectiveStatuses_DefaultToActiveOrActiveAndSupersededAsOf()
    {
        Assert.Equal([MemoryStatus.Active], new MemoryQuery { Tenant = "t" }.EffectiveStatuses());
        Assert.Equal([MemoryStatus.Active, MemoryStatus.Superseded], new MemoryQuery { Tenant = "t", ValidAt = TestData.Start }.EffectiveStatuses());
        Assert.Equal([MemoryStatus.Deleted], new MemorySearchRequest { Tenant = "t", Text = "x", Statuses = [MemoryStatus.Deleted] }.EffectiveStatuses());
        Assert.Equal([MemoryStatus.Active], new MemoryQuery { Tenant = "t", Statuses = [] }.EffectiveStatuses());

        var query = new MemoryQuery { Tenant = "t", Subject = "ana", PageSize = 7, Cursor = "c", Types = [MemoryTypes.Fact] };
        var filter = query.ToFilter();
        Assert.Equal(typeof(MemoryFilter), filter.GetType());
        Assert.Equal("ana", filter.Subject);
        Assert.Equal([MemoryTypes.Fact], filter.Types!);
    }
}
