using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Tests.Emulator;

/// <summary>The replay comparer must reject what it claims to reject, or the recorded tests prove nothing.</summary>
public sealed class JsonShapeTests
{
    [Theory]
    [InlineData("""{"a":1}""", """{"a":1,"b":2}""")]
    [InlineData("""{"a":1,"b":2}""", """{"a":1}""")]
    [InlineData("""{"a":"x"}""", """{"a":"y"}""")]
    [InlineData("""[1]""", """[1,2]""")]
    [InlineData("""{"a":"<uuid>"}""", """{"a":"not-a-uuid"}""")]
    [InlineData("""{"a":"<timestamp>"}""", """{"a":"2026-01-15 10:30"}""")]
    [InlineData("""{"a":"<timestamp>"}""", """{"a":"2026-01-15T10:30:00"}""")]
    [InlineData("""{"a":"<score>"}""", """{"a":1.5}""")]
    [InlineData("""{"a":"<number>"}""", """{"a":"1"}""")]
    [InlineData("""{"a":"<md5>"}""", """{"a":"ABC"}""")]
    [InlineData("""{"a":null}""", """{"a":0}""")]
    [InlineData("""[]""", """{}""")]
    public void Mismatches_fail(string expected, string actual)
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => JsonShape.Match(JsonNode.Parse(expected), JsonNode.Parse(actual)));
    }

    [Theory]
    [InlineData("""{"a":"<uuid>","b":"<timestamp>","c":"<score>","d":null,"e":[1,{"f":"<any>"}]}""", """{"e":[1,{"f":[]}],"d":null,"c":0.5,"b":"2026-01-15T10:30:00.123456+00:00","a":"0b6c5d2e-1f3a-4b5c-8d9e-0f1a2b3c4d5e"}""")]
    [InlineData("""{"x":"<regex:^\\d+$>","y":"<url>","z":"<hex8>"}""", """{"x":"17","y":"http://127.0.0.1:5/v3/memories/?page=2&page_size=1","z":"a1b2c3d4"}""")]
    public void Matches_pass(string expected, string actual)
    {
        JsonShape.Match(JsonNode.Parse(expected), JsonNode.Parse(actual));
    }
}
