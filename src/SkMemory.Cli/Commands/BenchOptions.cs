using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SkMemory.Evals;

namespace SkMemory.Cli.Commands;

/// <summary>What the timed benchmarks (<c>bench latency</c>, <c>bench governance</c>) share: numeric options, the command line they report, latency JSON, option errors.</summary>
internal static class BenchOptions
{
    /// <summary>A numeric option with its default.</summary>
    public static Option<int> Number(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "n" };

    /// <summary>Adds <c>name value</c> to the reported command line when the value is not the default.</summary>
    public static void AddIfNot(List<string> commandLine, string name, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            commandLine.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {value}"));
        }
    }

    /// <summary>Writes a latency summary (milliseconds, rounded to microseconds) as a JSON object.</summary>
    public static void Summary(Utf8JsonWriter w, string name, LatencySummary summary)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", summary.Count);
        w.WriteNumber("mean", Math.Round(summary.Mean, 3));
        w.WriteNumber("p50", Math.Round(summary.P50, 3));
        w.WriteNumber("p95", Math.Round(summary.P95, 3));
        w.WriteNumber("p99", Math.Round(summary.P99, 3));
        w.WriteNumber("min", Math.Round(summary.Min, 3));
        w.WriteNumber("max", Math.Round(summary.Max, 3));
        w.WriteEndObject();
    }

    /// <summary>Throws a usage error for <paramref name="field"/> unless <paramref name="ok"/>: "<paramref name="what"/> is out of range".</summary>
    public static void Check(bool ok, string field, string what, string hint)
    {
        if (!ok)
        {
            throw CliException.Invalid(field, $"{what} is out of range", hint);
        }
    }

    /// <summary>Turns a benchmark's own range check into a usage error naming the option that set the value.</summary>
    public static CliException Invalid(ArgumentOutOfRangeException ex, (string Field, string Hint) option) =>
        CliException.Invalid(option.Field, $"{ex.Message.Split(" (Parameter '", 2)[0]}; it is {ex.ActualValue}", option.Hint);
}
