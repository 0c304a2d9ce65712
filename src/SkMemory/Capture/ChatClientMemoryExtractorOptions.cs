using System.Globalization;

namespace SkMemory.Capture;

/// <summary>Options for <see cref="ChatClientMemoryExtractor"/>: the model, the memory types, extra instructions and the request size.</summary>
/// <remarks>
/// The extractor copies the options when it is created; later changes do not affect it, except registrations in
/// <see cref="Types"/>, which is shared (the registry is the store's list of types, and types registered later are seen).
/// Confidence thresholds are not set here: the extractor reports the model's confidence and the gate applies the thresholds.
/// Provider-specific request settings (reasoning effort, maximum output tokens, …) belong on the <c>IChatClient</c> pipeline,
/// for example with MEAI's <c>ConfigureOptionsChatClient</c>.
/// </remarks>
public sealed class ChatClientMemoryExtractorOptions
{
    /// <summary>The default <see cref="MaxItemsPerCall"/>.</summary>
    public const int DefaultMaxItemsPerCall = 40;

    /// <summary>The default <see cref="MaxCharactersPerItem"/>.</summary>
    public const int DefaultMaxCharactersPerItem = 8000;

    /// <summary>
    /// Gets or sets the model id sent in <c>ChatOptions.ModelId</c>, or null to let the chat client use its default model.
    /// It also names the extractor (<c>chat:&lt;model&gt;</c>).
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets the sampling temperature, from 0 to 2, or null for the provider's default (some reasoning models accept
    /// no other). Default 0, so that the same input gives the same memories.
    /// </summary>
    public float? Temperature { get; set; } = 0;

    /// <summary>
    /// Gets or sets instructions added after the default extraction rules ("remember dietary facts only", "the subject is a
    /// patient"), or null for none. <see cref="MemoryExtractionRequest.Instructions"/> adds per-request instructions after
    /// these. Neither replaces the rules that keep the input quoted data and fix the JSON reply.
    /// </summary>
    public string? Instructions { get; set; }

    /// <summary>
    /// Gets or sets the memory types the model may propose: their names, descriptions and JSON schemas go into the prompt,
    /// a reply naming any other type is invalid, and structured values must match the type's schema. Default: a registry
    /// with the built-in types; set the store's registry when custom types are registered.
    /// </summary>
    public MemoryTypeRegistry Types { get; set; } = new();

    /// <summary>
    /// Gets or sets the most items (messages, tool outputs, documents together) one model call reads, from 1 to 1000.
    /// Default 40. Larger requests are split into calls of this size, in input order, and their candidates concatenated.
    /// </summary>
    public int MaxItemsPerCall { get; set; } = DefaultMaxItemsPerCall;

    /// <summary>
    /// Gets or sets the most characters of one item's text the model sees (longer texts are cut and end in <c>…</c>), from
    /// 64 to 1000000. Default 8000. Quotes are still checked against the whole text.
    /// </summary>
    public int MaxCharactersPerItem { get; set; } = DefaultMaxCharactersPerItem;

    /// <summary>Checks the options and throws a specific error for the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Check(MaxItemsPerCall is >= 1 and <= 1000, nameof(MaxItemsPerCall), "between 1 and 1000", MaxItemsPerCall);
        Check(MaxCharactersPerItem is >= 64 and <= 1_000_000, nameof(MaxCharactersPerItem), "between 64 and 1000000", MaxCharactersPerItem);
        Check(Temperature is null or (>= 0 and <= 2), nameof(Temperature), "null or between 0 and 2", Temperature);
        if (Types is null)
        {
            throw new ArgumentException($"{nameof(Types)} must be a type registry (new MemoryTypeRegistry() for the built-in types).", nameof(Types));
        }

        if (ModelId is not null && string.IsNullOrWhiteSpace(ModelId))
        {
            throw new ArgumentException($"{nameof(ModelId)} must be null (the client's default model) or a model id.", nameof(ModelId));
        }

        static void Check(bool valid, string name, string range, object? value)
        {
            if (!valid)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}; it is {value ?? "null"}."), name);
            }
        }
    }
}
