namespace SkMemory.Abstractions.Tests;

public sealed class MemoryEventChainTests
{
    // Computed independently of this library (Python's hashlib over the documented header lines), so a change to the
    // hash format breaks this test, not just the implementation's agreement with itself.
    private const string KnownPayloadHash = "5041bf1f713df204784353e82f6a4a535931cb64f1f4b4a5aeaffcb720918b22";
    private const string KnownHash = "46d5e0d74a1dde43a4d07a4e635c9cce03eb907505bfefeba50df3bfb97e334b";
    private const string KnownHashWithoutReason = "c088d29c8696f5d0011cd2179a1988fe43df98b597c4b8c6bbf7dbae8666b02d";

    private static readonly MemoryEvent Known = new()
    {
        Tenant = "acme",
        Sequence = 42,
        EventId = Guid.Parse("0195f0a4-1c2d-7e3f-8a9b-0c1d2e3f4a5b"),
        MemoryId = Guid.Parse("0195f0a4-0000-7000-8000-000000000001"),
        EventType = MemoryEventType.Updated,
        StreamVersion = 3,
        OccurredAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567),
        Actor = MemoryActor.Agent("planner"),
        Reason = "fix typo",
        Payload = """{"x":1}""",
        PayloadHash = KnownPayloadHash,
        PreviousHash = new string('a', 64),
        Hash = string.Empty,
    };

    [Fact]
    public void ComputePayloadHash_IsLowerCaseSha256OfUtf8()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", MemoryEventChain.ComputePayloadHash("abc"));
        Assert.Equal(KnownPayloadHash, MemoryEventChain.ComputePayloadHash("""{"x":1}"""));
        Assert.NotEqual(MemoryEventChain.ComputePayloadHash("""{"x":1}"""), MemoryEventChain.ComputePayloadHash("""{"x": 1}"""));
        Assert.Throws<ArgumentNullException>(() => MemoryEventChain.ComputePayloadHash(null!));
    }

    [Fact]
    public void ComputeHash_KnownEvent_GivesTheDocumentedHash()
    {
        Assert.Equal(KnownHash, MemoryEventChain.ComputeHash(Known));
        Assert.Equal(KnownHashWithoutReason, MemoryEventChain.ComputeHash(Known with { Reason = null }));
        Assert.Equal(KnownHashWithoutReason, MemoryEventChain.ComputeHash(Known with { Reason = string.Empty }));
        Assert.Equal(64, KnownHash.Length);
        Assert.Equal(new string('0', 64), MemoryEventChain.GenesisHash);
    }

    [Fact]
    public void ComputeHash_EveryHeaderField_ChangesTheHash()
    {
        var variants = new Dictionary<string, MemoryEvent>
        {
            ["tenant"] = Known with { Tenant = "acme2" },
            ["sequence"] = Known with { Sequence = 43 },
            ["event_id"] = Known with { EventId = Guid.Parse("0195f0a4-1c2d-7e3f-8a9b-0c1d2e3f4a5c") },
            ["memory_id"] = Known with { MemoryId = Guid.Parse("0195f0a4-0000-7000-8000-000000000002") },
            ["event_type"] = Known with { EventType = MemoryEventType.Deleted },
            ["stream_version"] = Known with { StreamVersion = 4 },
            ["occurred_at"] = Known with { OccurredAt = Known.OccurredAt.AddTicks(TimeSpan.TicksPerMicrosecond) },
            ["actor.kind"] = Known with { Actor = MemoryActor.User("planner") },
            ["actor.id"] = Known with { Actor = MemoryActor.Agent("planner2") },
            ["reason"] = Known with { Reason = "fix typos" },
            ["payload_hash"] = Known with { PayloadHash = MemoryEventChain.ComputePayloadHash("""{"x":2}""") },
            ["previous_hash"] = Known with { PreviousHash = MemoryEventChain.GenesisHash },
        };

        var hashes = new HashSet<string>(StringComparer.Ordinal) { MemoryEventChain.ComputeHash(Known) };
        foreach (var (field, variant) in variants)
        {
            Assert.True(hashes.Add(MemoryEventChain.ComputeHash(variant)), $"changing {field} did not change the hash");
        }
    }

    [Fact]
    public void ComputeHash_PayloadAndHashFields_AreNotInputs()
    {
        var expected = MemoryEventChain.ComputeHash(Known);

        Assert.Equal(expected, MemoryEventChain.ComputeHash(Known with { Payload = null }));
        Assert.Equal(expected, MemoryEventChain.ComputeHash(Known with { Payload = """{"completely":"different"}""" }));
        Assert.Equal(expected, MemoryEventChain.ComputeHash(Known with { Hash = new string('f', 64) }));
    }

    [Fact]
    public void ComputeHash_SameInstantInAnotherOffsetOrBelowAMicrosecond_GivesTheSameHash()
    {
        var expected = MemoryEventChain.ComputeHash(Known);

        Assert.Equal(expected, MemoryEventChain.ComputeHash(Known with { OccurredAt = Known.OccurredAt.ToOffset(TimeSpan.FromHours(-5)) }));
        Assert.Equal(expected, MemoryEventChain.ComputeHash(Known with { OccurredAt = MemoryEventChain.TruncateToMicroseconds(Known.OccurredAt) }));
    }

    [Fact]
    public void FormatTimestamp_IsUtcWithSixFractionalDigits()
    {
        var value = new DateTimeOffset(2025, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        Assert.Equal("2025-03-04T05:06:07.123456Z", MemoryEventChain.FormatTimestamp(value));
        Assert.Equal("2025-01-01T00:00:00.000000Z", MemoryEventChain.FormatTimestamp(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void TruncateToMicroseconds_DropsSubMicrosecondTicksAndConvertsToUtc()
    {
        var value = new DateTimeOffset(2025, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var truncated = MemoryEventChain.TruncateToMicroseconds(value);

        Assert.Equal(TimeSpan.Zero, truncated.Offset);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_560), truncated);
        Assert.Equal(0, truncated.Ticks % TimeSpan.TicksPerMicrosecond);
        Assert.Equal(truncated, MemoryEventChain.TruncateToMicroseconds(truncated));
    }

    [Fact]
    public void ReadRecord_ErasedPayload_IsNullAndPayloadGivesTheRecord()
    {
        var record = TestData.Record("acme", "Ana likes tea");
        var payload = MemoryJson.SerializeRecord(record);

        Assert.Null((Known with { Payload = null }).ReadRecord());
        Assert.Equal(record, (Known with { Payload = payload }).ReadRecord());
    }
}
