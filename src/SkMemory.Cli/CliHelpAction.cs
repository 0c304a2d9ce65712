using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace SkMemory.Cli;

/// <summary>
/// The --help action: the default help, except that a subcommand of a command that takes arguments of its own
/// (<c>skmem ingest &lt;file&gt;</c> and <c>skmem ingest run &lt;job-id&gt;</c>) shows only its own arguments, so its usage
/// reads <c>skmem ingest run &lt;job-id&gt; [options]</c> rather than <c>skmem ingest &lt;file&gt; run &lt;job-id&gt;</c>.
/// </summary>
/// <remarks>
/// System.CommandLine 2.0 keeps its help builder internal, so the default help is rendered into a buffer and the parents'
/// arguments are taken out of its usage line and its argument list.
/// </remarks>
internal sealed class CliHelpAction : SynchronousCommandLineAction
{
    private readonly HelpAction _default;

    public CliHelpAction(HelpAction defaultAction)
    {
        ArgumentNullException.ThrowIfNull(defaultAction);
        _default = defaultAction;
    }

    /// <inheritdoc />
    public override bool ClearsParseErrors => true;

    /// <summary>Replaces the help action of <paramref name="root"/>'s --help option with this one.</summary>
    /// <param name="root">The root command.</param>
    public static void Install(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction action } help)
            {
                help.Action = new CliHelpAction(action);
            }
        }
    }

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var labels = Parents(parseResult.CommandResult)
            .SelectMany(p => p.Arguments.Where(a => !a.Hidden).Select(a => (Parent: p.Name, Label: $"<{a.HelpName ?? a.Name}>")))
            .ToList();
        var configuration = parseResult.InvocationConfiguration;
        if (labels.Count == 0)
        {
            return _default.Invoke(parseResult);
        }

        var output = configuration.Output;
        using var buffer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        configuration.Output = buffer;
        int exitCode;
        try
        {
            exitCode = _default.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }

        output.Write(Strip(buffer.ToString(), labels));
        return exitCode;
    }

    private static IEnumerable<Command> Parents(CommandResult result)
    {
        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            yield return parent.Command;
        }
    }

    /// <summary>Takes the parents' argument labels out of the usage line, and their rows (with wrapped lines) out of the argument list.</summary>
    private static string Strip(string help, List<(string Parent, string Label)> labels)
    {
        var lines = help.Split('\n');
        var kept = new List<string>(lines.Length);
        var section = string.Empty;
        var skipping = false;
        foreach (var line in lines)
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                section = line.TrimEnd('\r');
                skipping = false;
                kept.Add(line);
                continue;
            }

            if (section == "Usage:")
            {
                var usage = line;
                foreach (var (parent, label) in labels)
                {
                    usage = usage.Replace($" {parent} {label} ", $" {parent} ", StringComparison.Ordinal);
                }

                kept.Add(usage);
            }
            else if (section == "Arguments:")
            {
                var trimmed = line.TrimStart();
                if (line.StartsWith("  <", StringComparison.Ordinal) || line.StartsWith("  [", StringComparison.Ordinal))
                {
                    skipping = labels.Any(l => trimmed.StartsWith(l.Label, StringComparison.Ordinal) || trimmed.StartsWith("[" + l.Label, StringComparison.Ordinal));
                }
                else if (trimmed.Length == 0)
                {
                    skipping = false;
                }

                if (!skipping)
                {
                    kept.Add(line);
                }
            }
            else
            {
                kept.Add(line);
            }
        }

        // An argument list left empty goes, with the blank line after it.
        var heading = kept.FindIndex(l => l.TrimEnd('\r') == "Arguments:");
        if (heading >= 0 && (heading + 1 == kept.Count || kept[heading + 1].Trim().Length == 0))
        {
            kept.RemoveRange(heading, Math.Min(2, kept.Count - heading));
        }

        return string.Join('\n', kept);
    }
}
