using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Source-generated JSON metadata for the contract's types (snake_case, enums as strings, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = false)]
[JsonSerializable(typeof(MemoryRecord))]
[JsonSerializable(typeof(MemoryEvent))]
[JsonSerializable(typeof(MemoryExportHeader))]
[JsonSerializable(typeof(MemoryExportEnd))]
[JsonSerializable(typeof(MemoryScope))]
[JsonSerializable(typeof(MemoryActor))]
[JsonSerializable(typeof(MemoryProvenance))]
[JsonSerializable(typeof(MemorySearchResult))]
[JsonSerializable(typeof(IReadOnlyList<MemorySearchResult>))]
[JsonSerializable(typeof(MemoryPage))]
[JsonSerializable(typeof(MemoryWriteResult))]
[JsonSerializable(typeof(MemoryTransferResult))]
[JsonSerializable(typeof(MemorySupersedeResult))]
[JsonSerializable(typeof(ChainVerificationResult))]
[JsonSerializable(typeof(IReadOnlyList<MemoryEvent>))]
[JsonSerializable(typeof(MemoryIngestionJob))]
[JsonSerializable(typeof(MemoryExtractionRequest))]
[JsonSerializable(typeof(MemoryCandidate))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(MemoryLineage))]
[JsonSerializable(typeof(MemoryDeletionAttestation))]
[JsonSerializable(typeof(IReadOnlyList<MemoryAccessDenial>))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(MemoryWriteRequest))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class MemoryJsonContext : JsonSerializerContext;
