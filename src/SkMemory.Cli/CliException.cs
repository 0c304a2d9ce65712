namespace SkMemory.Cli;

/// <summary>An error the CLI recognized: it carries the exit code, the message and what to do next.</summary>
internal sealed class CliException : Exception
{
    public CliException()
        : this(ExitCodes.Unexpected, "skmem failed.", "run the command again")
    {
    }

    public CliException(string message)
        : this(ExitCodes.Unexpected, message, "run the command again")
    {
    }

    public CliException(string message, Exception innerException)
        : this(ExitCodes.Unexpected, message, "run the command again", null, innerException)
    {
    }

    public CliException(int exitCode, string message, string hint, string? field = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
        Hint = hint;
        Field = field;
    }

    /// <summary>Gets the process exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Gets what the user should do next.</summary>
    public string Hint { get; }

    /// <summary>Gets the invalid field, for usage errors about one value.</summary>
    public string? Field { get; }

    /// <summary>Creates a usage error about one value, named like the contract's fields (for example <c>ttl</c>).</summary>
    public static CliException Invalid(string field, string problem, string hint) =>
        new(ExitCodes.Usage, $"{field}: {problem}", hint, field);
}
