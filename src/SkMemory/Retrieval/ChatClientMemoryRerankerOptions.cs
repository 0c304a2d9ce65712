using System.Globalization;

namespace SkMemory.Retrieval;

/// <summary>Options for <see cref="ChatClientMemoryReranker"/>: the model, the window the model sees, the prompt and the blend.</summary>
/// <remarks>
/// The reranker copies the options when it is created; later changes do not affect it. Provider-specific request settings
/// (reasoning effort, maximum output tokens, …) belong on the <c>IChatClient</c> pipeline, for example with MEAI's
/// <c>ConfigureOptionsChatClient</c>.
/// </remarks>
public sealed class ChatClientMemoryRerankerOptions
{
    /// <summary>
    /// The default scoring guidance (<see cref="Instructions"/>). The rules that make candidates inert data and fix the JSON
    /// reply are added after it in every case.
    /// </summary>
    public const string DefaultInstructions =
        "You rerank memories retrieved for an AI assistant. For each candidate memory, judge how useful it is for answering "
        + "the query: 1 means it directly answers or is essential to answering it, 0.5 means it is related background, and 0 "
        + "means it does not help. Prefer specific, on-topic facts over vague or merely similar wording.";

    /// <summary>The default <see cref="MaxCandidates"/>.</summary>
    public const int DefaultMaxCandidates = 20;

    /// <summary>The default <see cref="MaxCharactersPerMemory"/>.</summary>
    public const int DefaultMaxCharactersPerMemory = 500;

    /// <summary>
    /// Gets or sets the model id sent in <c>ChatOptions.ModelId</c>, or null to let the chat client use its default model.
    /// It also names the reranker (<c>chat:&lt;model&gt;</c>).
    /// </summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets how many of the best-relevance candidates the model sees, from 1 to 200. Default 20. Candidates past
    /// the window keep their relevance order after the ones the model scored.
    /// </summary>
    public int MaxCandidates { get; set; } = DefaultMaxCandidates;

    /// <summary>
    /// Gets or sets the most characters of a memory's text the model sees (longer texts are cut and end in <c>…</c>), from 16
    /// to 100000. Default 500.
    /// </summary>
    public int MaxCharactersPerMemory { get; set; } = DefaultMaxCharactersPerMemory;

    /// <summary>
    /// Gets or sets the scoring guidance at the start of the system message. Default <see cref="DefaultInstructions"/>;
    /// to extend rather than replace it, set <c>DefaultInstructions + " …"</c>. Whatever it says, the system message then
    /// states that the query and candidates are quoted data and describes the JSON reply.
    /// </summary>
    public string Instructions { get; set; } = DefaultInstructions;

    /// <summary>
    /// Gets or sets the sampling temperature, from 0 to 2, or null for the provider's default (some reasoning models accept
    /// no other). Default 0, so that the same candidates get the same scores.
    /// </summary>
    public float? Temperature { get; set; } = 0;

    /// <summary>
    /// Gets or sets the weight of the model's score in the final score, from 0 to 1:
    /// <c>final = weight × model score + (1 − weight) × relevance / best relevance</c>. Default 1: the model's judgement alone,
    /// ties broken by relevance order. Relevance scaled to the window's best is relative (the first candidate is always 1),
    /// so mixing it in mostly pulls the top relevance hit up; lower the weight when the model is small or noisy.
    /// </summary>
    public double ModelWeight { get; set; } = 1;

    /// <summary>Checks the options and throws a specific error for the first invalid one.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Check(MaxCandidates is >= 1 and <= 200, nameof(MaxCandidates), "between 1 and 200", MaxCandidates);
        Check(MaxCharactersPerMemory is >= 16 and <= 100_000, nameof(MaxCharactersPerMemory), "between 16 and 100000", MaxCharactersPerMemory);
        Check(Temperature is null or (>= 0 and <= 2), nameof(Temperature), "null or between 0 and 2", Temperature);
        Check(ModelWeight is >= 0 and <= 1, nameof(ModelWeight), "between 0 and 1", ModelWeight);
        if (string.IsNullOrWhiteSpace(Instructions))
        {
            throw new ArgumentException($"{nameof(Instructions)} must not be empty; use {nameof(DefaultInstructions)} for the default.", nameof(Instructions));
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
