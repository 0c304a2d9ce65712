namespace SkMemory.Evals.Suite;

/// <summary>A memory eval suite: synthetic users whose conversations, changes and tasks say what memory should hold and return.</summary>
public sealed class EvalSuite
{
    /// <summary>Initializes a new instance of the <see cref="EvalSuite"/> class.</summary>
    /// <param name="name">The suite's name (e.g. <c>synthetic-v1 + hard-cases</c>).</param>
    /// <param name="users">The users, in run order.</param>
    public EvalSuite(string name, IReadOnlyList<EvalUser> users)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(users);
        Name = name;
        Users = users;
    }

    /// <summary>Gets the suite's name.</summary>
    public string Name { get; }

    /// <summary>Gets the users.</summary>
    public IReadOnlyList<EvalUser> Users { get; }

    /// <summary>Gets the number of tasks over all users.</summary>
    public int TaskCount => Users.Sum(u => u.Tasks.Count);
}
