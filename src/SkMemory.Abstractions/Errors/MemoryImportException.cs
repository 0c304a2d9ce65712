namespace SkMemory;

/// <summary>An import file is malformed, truncated, fails verification or does not fit the store. Nothing was imported.</summary>
public sealed class MemoryImportException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryImportException"/> class.</summary>
    /// <param name="code"><see cref="MemoryErrorCode.ImportInvalid"/> or <see cref="MemoryErrorCode.ImportConflict"/>.</param>
    /// <param name="line">The 1-based line number.</param>
    /// <param name="field">The field at fault, when one is.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public MemoryImportException(MemoryErrorCode code, long line, string? field, string problem, Exception? innerException = null)
        : base(code, $"line {line}{(field is null ? string.Empty : $", field '{field}'")}: {problem}. Nothing was imported.", innerException)
    {
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>Gets the 1-based line number.</summary>
    public long Line { get; }

    /// <summary>Gets the field at fault, when one is.</summary>
    public string? Field { get; }

    /// <summary>Gets what is wrong, without the line prefix.</summary>
    public string Problem { get; }
}
