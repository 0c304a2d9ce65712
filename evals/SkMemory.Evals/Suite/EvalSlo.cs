namespace SkMemory.Evals.Suite;

/// <summary>
/// One service-level objective: a metric over one slice of the suite (null dimensions mean "all") with a lower bound, an
/// upper bound or both, e.g. recall &gt;= 0.95 on preferences in checkout tasks.
/// </summary>
public sealed record EvalObjective
{
    /// <summary>Gets the metric (<see cref="EvalMetrics"/>).</summary>
    public required string Metric { get; init; }

    /// <summary>Gets the agent the slice is limited to, or null for all agents.</summary>
    public string? Agent { get; init; }

    /// <summary>Gets the task kind the slice is limited to, or null for all tasks.</summary>
    public string? Task { get; init; }

    /// <summary>Gets the memory type the slice is limited to, or null for all types.</summary>
    public string? MemoryType { get; init; }

    /// <summary>Gets the lowest passing value, or null for no lower bound.</summary>
    public double? Min { get; init; }

    /// <summary>Gets the highest passing value, or null for no upper bound.</summary>
    public double? Max { get; init; }

    /// <summary>Gets the value measured when the threshold was set (where the threshold comes from), or null.</summary>
    public string? Measured { get; init; }

    /// <summary>Gets the objective as one line: the metric and its slice, e.g. <c>recall [task=checkout, type=preference]</c>.</summary>
    public string Name
    {
        get
        {
            var slice = new List<string>(3);
            if (Agent is not null)
            {
                slice.Add("agent=" + Agent);
            }

            if (Task is not null)
            {
                slice.Add("task=" + Task);
            }

            if (MemoryType is not null)
            {
                slice.Add("type=" + MemoryType);
            }

            return slice.Count == 0 ? Metric : $"{Metric} [{string.Join(", ", slice)}]";
        }
    }

    /// <summary>Gets the target as text: <c>&gt;= 0.95</c>, <c>&lt;= 0.02</c>, <c>0.5..0.9</c> or <c>= 0</c>.</summary>
    public string Target =>
        (Min, Max) switch
        {
            ({ } min, { } max) when min == max => "= " + EvalReportFormat.Number(min),
            ({ } min, { } max) => $"{EvalReportFormat.Number(min)}..{EvalReportFormat.Number(max)}",
            ({ } min, null) => ">= " + EvalReportFormat.Number(min),
            (null, { } max) => "<= " + EvalReportFormat.Number(max),
            _ => "any",
        };

    /// <summary>Gets whether a value meets the objective.</summary>
    /// <param name="value">The measured value.</param>
    /// <returns>Whether it is within the bounds.</returns>
    public bool IsMetBy(double value) => (Min is not { } min || value >= min) && (Max is not { } max || value <= max);
}

/// <summary>What became of one objective in a run.</summary>
public enum EvalObjectiveOutcome
{
    /// <summary>Measured and within its bounds.</summary>
    Pass,

    /// <summary>Measured and outside its bounds.</summary>
    Fail,

    /// <summary>The run measured no sample of the objective's slice (a wrong slice name, or a suite without such cases).</summary>
    NotMeasured,
}

/// <summary>One objective checked against one run.</summary>
/// <param name="Objective">The objective.</param>
/// <param name="Measured">The measured value, or null when the slice was not measured.</param>
/// <param name="Samples">How many samples the value is over.</param>
/// <param name="Outcome">Pass, fail or not measured.</param>
public sealed record EvalObjectiveResult(EvalObjective Objective, double? Measured, int Samples, EvalObjectiveOutcome Outcome);
