namespace SkMemory.Governance.Retention;

/// <summary>
/// A retention policy file is invalid. The message names the file, the rule (<c>rules[2]</c>) and the field, says what is
/// wrong and what is allowed. Nothing was swept.
/// </summary>
public sealed class MemoryRetentionPolicyException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryRetentionPolicyException"/> class.</summary>
    /// <param name="source">The file (or <c>default policy</c>).</param>
    /// <param name="path">The JSON path of the invalid field (<c>rules[2].anchor</c>).</param>
    /// <param name="problem">What is wrong and what is allowed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public MemoryRetentionPolicyException(string source, string path, string problem, Exception? innerException = null)
        : base(MemoryErrorCode.Validation, $"Retention policy {source}: {path}: {problem}. Fix the policy file and run again.", innerException)
    {
        PolicySource = source;
        Path = path;
        Problem = problem;
    }

    /// <summary>Gets the file (or <c>default policy</c>).</summary>
    public string PolicySource { get; }

    /// <summary>Gets the JSON path of the invalid field (<c>rules[2].anchor</c>).</summary>
    public string Path { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Problem { get; }
}
