using System.Globalization;

namespace SkMemory.Capture;

/// <summary>Options for <see cref="ChatClientMemoryConflictResolver"/>: the model, extra instructions and how much the model sees.</summary>
/// <remarks>
/// The resolver copies the options when it is created; later changes do not affect it. Provider-specific request settings
/// belong on the <c>IChatClient</c> pipeline, for example with MEAI's <c>ConfigureOptionsChatClient</c>.
/// </remarks>
public sealed class ChatClientMemoryConflictResolverOptions
{
    /// <summary>The default <see cref="MaxRelated"/>.</summary>
    public const int DefaultMaxRelated = 10;

    /// <summary>The default <see cref="MaxCharactersPerMemory"/>.</summary>
    public const int DefaultMaxCharactersPerMemory = 1000;

    /// <summary>
    /// Gets or sets the model id sent in <c>ChatOptions.ModelId</c>, or null to let the chat client use its default model.
    /// It also names the resolver (<c>chat:&lt;model&gt;</c>).
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets the sampling temperature, from 0 to 2, or null for the provider's default. Default 0, so that the same
    /// candidate and memories get the same decision.
    /// </summary>
    public float? Temperature { get; set; } = 0;

    /// <summary>
    /// Gets or sets instructions added after the default decision rules ("a new address always supersedes the old one"), or
    /// null for none. They never replace the rules that keep the memories quoted data and fix the JSON reply.
    /// </summary>
    public string? Instructions { get; set; }

    /// <summary>
    /// Gets or sets how many related memories (the most related first) the model sees and may target, from 1 to 100.
    /// Default 10.
    /// </summary>
    public int MaxRelated { get; set; } = DefaultMaxRelated;

    /// <summary>
    /// Gets or sets the most characters of a memory's text the model sees (longer texts are cut and end in <c>…</c>), from 16
    /// to 100000. Default 1000.
    /// </summary>
    public int MaxCharactersPerMemory { get; set; } = DefaultMaxCharactersPerMemory;

    /// <summary>Checks the options and throws a specific error for the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Check(MaxRelated is >= 1 and <= 100, nameof(MaxRelated), "between 1 and 100", MaxRelated);
        Check(MaxCharactersPerMemory is >= 16 and <= 100_000, nameof(MaxCharactersPerMemory), "between 16 and 100000", MaxCharactersPerMemory);
        Check(Temperature is null or (>= 0 and <= 2), nameof(Temperature), "null or between 0 and 2", Temperature);
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
