namespace SkMemory.Evals.Suite;

/// <summary>
/// Collects a run's samples and failure examples, and turns them into measurements: each metric overall, per agent, per
/// task kind and per memory type. Fractions are means of their samples; forgetting is the worst (largest) sample.
/// </summary>
internal sealed class EvalScoreboard(int failuresPerMetric)
{
    private readonly List<Sample> _samples = [];
    private readonly List<EvalFailure> _failures = [];
    private readonly Dictionary<string, int> _failureCounts = new(StringComparer.Ordinal);

    /// <summary>Gets the failure examples kept.</summary>
    public IReadOnlyList<EvalFailure> Failures => _failures;

    /// <summary>Gets how many failures each metric had, kept or not.</summary>
    public IReadOnlyDictionary<string, int> FailureCounts => _failureCounts;

    /// <summary>Adds a unit sample: it counts overall, for its agent and task kind, and for its memory type when the metric has no type samples of its own.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="value">The value.</param>
    /// <param name="agent">The agent, or null.</param>
    /// <param name="task">The task kind, or null.</param>
    /// <param name="type">The memory type, or null.</param>
    public void Add(string metric, double value, string? agent = null, string? task = null, string? type = null) =>
        _samples.Add(new Sample(metric, value, agent, task, type, PerType: false));

    /// <summary>
    /// Adds a sample that counts only for its memory type's slices (e.g. recall per needed memory, where the unit sample is
    /// per task): the type overall, and the type within its task kind when one is given.
    /// </summary>
    /// <param name="metric">The metric.</param>
    /// <param name="value">The value.</param>
    /// <param name="type">The memory type.</param>
    /// <param name="task">The task kind, or null.</param>
    public void AddPerType(string metric, double value, string type, string? task = null) =>
        _samples.Add(new Sample(metric, value, null, task, type, PerType: true));

    /// <summary>Records a failure; the first <c>failuresPerMetric</c> of each metric are kept as examples.</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="user">The user.</param>
    /// <param name="detail">What was expected and what happened.</param>
    public void Fail(string metric, string user, string detail)
    {
        var count = _failureCounts.GetValueOrDefault(metric) + 1;
        _failureCounts[metric] = count;
        if (count <= failuresPerMetric)
        {
            _failures.Add(new EvalFailure(metric, user, detail));
        }
    }

    /// <summary>Adds a summary line to the failures of a metric, kept whatever the cap (e.g. the mean forgetting, whose value is the worst case).</summary>
    /// <param name="metric">The metric.</param>
    /// <param name="detail">The summary.</param>
    public void Note(string metric, string detail) => _failures.Insert(0, new EvalFailure(metric, "(all users)", detail));

    /// <summary>Gets the overall mean of a metric's unit samples, or null without samples.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The mean.</returns>
    public double? Mean(string metric)
    {
        var values = _samples.Where(s => s.Metric == metric && !s.PerType).Select(s => s.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>Gets how many unit samples a metric has.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The count.</returns>
    public int Count(string metric) => _samples.Count(s => s.Metric == metric && !s.PerType);

    /// <summary>Turns the samples into measurements.</summary>
    /// <returns>Per metric (in <see cref="EvalMetrics"/> order): overall, then per agent, per task kind, per memory type and per task kind and memory type, each sorted by name.</returns>
    public IReadOnlyList<EvalMeasurement> Measurements()
    {
        var measurements = new List<EvalMeasurement>();
        foreach (var metric in _samples.Select(s => s.Metric).Distinct(StringComparer.Ordinal))
        {
            var all = _samples.Where(s => s.Metric == metric).ToList();
            var units = all.Where(s => !s.PerType).ToList();
            var worst = metric == EvalMetrics.Forgetting;
            if (units.Count > 0)
            {
                measurements.Add(Measure(metric, units, worst));
            }

            foreach (var group in units.Where(s => s.Agent is not null).GroupBy(s => s.Agent!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                measurements.Add(Measure(metric, [.. group], worst) with { Agent = group.Key });
            }

            foreach (var group in units.Where(s => s.Task is not null).GroupBy(s => s.Task!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                measurements.Add(Measure(metric, [.. group], worst) with { Task = group.Key });
            }

            var typed = all.Any(s => s.PerType) ? all.Where(s => s.PerType) : units.Where(s => s.Type is not null);
            foreach (var group in typed.GroupBy(s => s.Type!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                measurements.Add(Measure(metric, [.. group], worst) with { MemoryType = group.Key });
            }

            // "Recall on preferences in checkout tasks" is the kind of objective teams set, so type samples that know their task
            // are also measured per (task kind, memory type).
            foreach (var group in typed.Where(s => s.Task is not null)
                .GroupBy(s => (Task: s.Task!, Type: s.Type!))
                .OrderBy(g => g.Key.Task, StringComparer.Ordinal)
                .ThenBy(g => g.Key.Type, StringComparer.Ordinal))
            {
                measurements.Add(Measure(metric, [.. group], worst) with { Task = group.Key.Task, MemoryType = group.Key.Type });
            }
        }

        return measurements;
    }

    private static EvalMeasurement Measure(string metric, List<Sample> samples, bool worst) =>
        new()
        {
            Metric = metric,
            Value = worst ? samples.Max(s => s.Value) : samples.Average(s => s.Value),
            Samples = samples.Count,
        };

    private sealed record Sample(string Metric, double Value, string? Agent, string? Task, string? Type, bool PerType);
}
