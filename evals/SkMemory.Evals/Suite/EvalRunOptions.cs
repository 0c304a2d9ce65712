using SkMemory.Capture;

namespace SkMemory.Evals.Suite;

/// <summary>Options of <see cref="EvalRunner"/>: what is evaluated, and how the agents query memory.</summary>
public sealed class EvalRunOptions
{
    /// <summary>Gets the configuration under evaluation (printed in the result).</summary>
    public required EvalConfiguration Configuration { get; init; }

    /// <summary>Gets the backend's name (e.g. <c>embedded (SQLite)</c>, <c>postgres</c>, <c>mem0 emulator (platform)</c>).</summary>
    public required string Backend { get; init; }

    /// <summary>Gets the extractor; null for the offline <see cref="RuleBasedMemoryExtractor"/>.</summary>
    public IMemoryExtractor? Extractor { get; init; }

    /// <summary>Gets the prefix of every tenant the run writes; null for <c>eval-</c>, 8 random hex digits and <c>-</c>, so runs never collide in a shared store.</summary>
    public string? TenantPrefix { get; init; }

    /// <summary>Gets how many results each task's search asks for. Default 10.</summary>
    public int Top { get; init; } = 10;

    /// <summary>Gets the token budget of each task's packet. Default 1000.</summary>
    public int TokenBudget { get; init; } = 1000;

    /// <summary>Gets how many times, at most, a change's probe query runs while the old value is still returned. Default 5.</summary>
    public int ForgettingQueries { get; init; } = 5;

    /// <summary>Gets how many failure examples are kept per metric. Default 20.</summary>
    public int FailuresPerMetric { get; init; } = 20;

    /// <summary>Gets how many users make one progress report. Default 10.</summary>
    public int ProgressEvery { get; init; } = 10;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Configuration, nameof(Configuration));
        ArgumentException.ThrowIfNullOrWhiteSpace(Backend, nameof(Backend));
        Check(Top is >= 1 and <= 100, nameof(Top), "between 1 and 100", Top);
        Check(TokenBudget is >= 50 and <= 100_000, nameof(TokenBudget), "between 50 and 100000", TokenBudget);
        Check(ForgettingQueries is >= 1 and <= 50, nameof(ForgettingQueries), "between 1 and 50", ForgettingQueries);
        Check(FailuresPerMetric is >= 0 and <= 10_000, nameof(FailuresPerMetric), "between 0 and 10000", FailuresPerMetric);
        Check(ProgressEvery >= 1, nameof(ProgressEvery), "at least 1", ProgressEvery);
        if (TenantPrefix is { } prefix && (prefix.Length > 64 || prefix.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"TenantPrefix must be at most 64 characters without spaces; it is '{prefix}'.", nameof(TenantPrefix));
        }

        static void Check(bool valid, string name, string range, int value)
        {
            if (!valid)
            {
                throw new ArgumentException($"{name} must be {range}; it is {value}.", name);
            }
        }
    }
}
