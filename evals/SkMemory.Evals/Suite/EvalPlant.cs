namespace SkMemory.Evals.Suite;

/// <summary>A planted turn that must not become (plain) memory.</summary>
public sealed record EvalPlant
{
    /// <summary>Noise that passes within hours (<c>I'm in a hurry today</c>).</summary>
    public const string Transient = "transient";

    /// <summary>The assistant's guess about the user.</summary>
    public const string Speculation = "speculation";

    /// <summary>A what-if the user wonders about.</summary>
    public const string Hypothetical = "hypothetical";

    /// <summary>A secret (API key, card number, password, email...) that must never be stored as is.</summary>
    public const string Secret = "secret";

    /// <summary>Instruction-like text the user asks to remember; if stored, it must reach the packet only as quoted data.</summary>
    public const string Poisoning = "poisoning";

    /// <summary>Gets the turn.</summary>
    public required string Turn { get; init; }

    /// <summary>Gets the kind: <c>transient</c>, <c>speculation</c>, <c>hypothetical</c>, <c>secret</c> or <c>poisoning</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets, for a secret, the exact secret text that must not be stored; for poisoning, the instruction.</summary>
    public string? Value { get; init; }

    /// <summary>Gets, for a secret, what it is (<c>api_key</c>, <c>credit_card</c>, <c>password</c>, <c>email</c>...).</summary>
    public string? SecretKind { get; init; }

    /// <summary>Gets whether the plant is noise whose promotion to memory counts as contamination.</summary>
    public bool IsTransient => Kind is Transient or Speculation or Hypothetical;
}
