using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Source-generated JSON metadata for attestations.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = false)]
[JsonSerializable(typeof(MemoryDeletionAttestation))]
internal sealed partial class MemoryAttestationJsonContext : JsonSerializerContext
{
    private static MemoryAttestationJsonContext? _indented;

    /// <summary>Gets the indented variant.</summary>
    public static MemoryAttestationJsonContext Indented => _indented ??= new(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
