using System.Text.Json;

namespace SkMemory.Evals.Suite;

/// <summary>
/// Reads eval suites from JSON Lines (one <see cref="EvalUser"/> per line, the shape of <c>evals/datasets/*.jsonl</c>) and
/// checks every reference (evidence turns, task needs, change targets), so a typo fails the load with its file and line
/// instead of silently lowering a score.
/// </summary>
public static class EvalSuiteLoader
{
    /// <summary>The name of the generated dataset shipped inside this assembly.</summary>
    public const string SyntheticName = "synthetic-v1";

    /// <summary>The name of the hand-written hard cases shipped inside this assembly.</summary>
    public const string HardCasesName = "hard-cases";

    /// <summary>The seed the checked-in synthetic dataset is generated with.</summary>
    public const int SyntheticSeed = 20251125;

    /// <summary>The number of users of the checked-in synthetic dataset.</summary>
    public const int SyntheticUsers = 104;

    private const string ResourcePrefix = "SkMemory.Evals.Datasets.";

    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { EvalTurn.UserRole, EvalTurn.AssistantRole, EvalTurn.ToolRole };

    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal) { "active", "superseded", "deleted", "purged", "expired" };

    private static readonly HashSet<string> PlantKinds = new(StringComparer.Ordinal) { EvalPlant.Transient, EvalPlant.Speculation, EvalPlant.Hypothetical, EvalPlant.Secret, EvalPlant.Poisoning };

    private static readonly HashSet<string> ChangeKinds = new(StringComparer.Ordinal) { EvalChange.Supersede, EvalChange.ConsentRevoked, EvalChange.Delete, EvalChange.Purge, EvalChange.Expire };

    /// <summary>Loads the built-in suite: the generated users, then the hard cases, from this assembly's resources.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The suite, named <c>synthetic-v1 + hard-cases</c>.</returns>
    public static async Task<EvalSuite> LoadBuiltInAsync(CancellationToken cancellationToken = default)
    {
        var users = new List<EvalUser>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { SyntheticName, HardCasesName })
        {
            // Embedded, not read from the repository folder: the CLI and CI run from anywhere.
            var resource = ResourcePrefix + name + ".jsonl";
            using var stream = typeof(EvalSuiteLoader).Assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The evals assembly has no resource '{resource}'; rebuild it (the project embeds evals/datasets/*.jsonl).");
            using var reader = new StreamReader(stream);
            await ReadAsync(reader, name + ".jsonl", users, seen, cancellationToken).ConfigureAwait(false);
        }

        return new EvalSuite(SyntheticName + " + " + HardCasesName, users);
    }

    /// <summary>Loads a suite from JSON Lines files, in order.</summary>
    /// <param name="jsonlPaths">The files.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The suite, named after the files (without extension), joined by <c> + </c>.</returns>
    /// <exception cref="FormatException">A line is not a valid user; the message starts with <c>file:line:</c> and says what to fix.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static async Task<EvalSuite> LoadAsync(IReadOnlyList<string> jsonlPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonlPaths);
        if (jsonlPaths.Count == 0)
        {
            throw new ArgumentException("Give at least one JSON Lines file of eval users.", nameof(jsonlPaths));
        }

        var users = new List<EvalUser>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in jsonlPaths)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path, nameof(jsonlPaths));
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The eval dataset '{path}' does not exist; give the path of a .jsonl file (one user per line).", path);
            }

            using var reader = new StreamReader(path);
            await ReadAsync(reader, path, users, seen, cancellationToken).ConfigureAwait(false);
        }

        if (users.Count == 0)
        {
            throw new FormatException($"{string.Join(", ", jsonlPaths)}: no user; each non-blank line must be one user (see evals/datasets/README.md).");
        }

        return new EvalSuite(string.Join(" + ", jsonlPaths.Select(Path.GetFileNameWithoutExtension)), users);
    }

    /// <summary>Parses and checks one line.</summary>
    /// <param name="json">The line.</param>
    /// <param name="where">The file and line, for messages (<c>file:line</c>).</param>
    /// <returns>The user.</returns>
    /// <exception cref="FormatException">The line is not a valid user.</exception>
    internal static EvalUser ParseLine(string json, string where)
    {
        EvalUser? user;
        try
        {
            user = JsonSerializer.Deserialize(json, EvalJsonContext.Default.EvalUser);
        }
        catch (JsonException ex)
        {
            var at = ex.BytePositionInLine is { } column ? $" (column {column + 1})" : string.Empty;
            throw new FormatException($"{where}{at}: not a valid eval user: {ex.Message} Each line is one JSON object with the fields in evals/datasets/README.md.", ex);
        }

        if (user is null)
        {
            throw new FormatException($"{where}: the line is 'null'; each line must be one JSON object (a user).");
        }

        // Fields left out of a line come back null from the deserializer, not as the record's defaults.
        user = user with
        {
            Plants = user.Plants ?? [],
            Changes = user.Changes ?? [],
            Agents = user.Agents ?? [],
            Sessions = (user.Sessions ?? []).Select(s => s with { Turns = s.Turns ?? [] }).ToList(),
            Memories = (user.Memories ?? []).Select(m => m with { Evidence = m.Evidence ?? [], Status = m.Status ?? "active" }).ToList(),
            Tasks = (user.Tasks ?? []).Select(t => t with { Needs = t.Needs ?? [], Relevant = t.Relevant ?? [] }).ToList(),
        };
        Check(user, where);
        return user;
    }

    private static async Task ReadAsync(TextReader reader, string file, List<EvalUser> users, Dictionary<string, string> seen, CancellationToken cancellationToken)
    {
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var where = $"{file}:{number}";
            var user = ParseLine(line, where);
            if (seen.TryGetValue(user.Id, out var first))
            {
                throw new FormatException($"{where}: user id '{user.Id}' is already used at {first}; give every user its own id.");
            }

            seen[user.Id] = where;
            users.Add(user);
        }
    }

    private static void Check(EvalUser user, string where)
    {
        void Fail(string problem) => throw new FormatException($"{where}: user '{user.Id}': {problem}");

        Require(user.Id, "id");
        Require(user.Tenant, "tenant");
        Require(user.Subject, "subject");
        Require(user.Name, "name");
        if (user.Agents.Count == 0)
        {
            Fail("'agents' is empty; name the agents the user talks to (e.g. [\"shopping\"]).");
        }

        if (user.Sessions.Count == 0)
        {
            Fail("'sessions' is empty; a user needs at least one session.");
        }

        var sessions = new HashSet<string>(StringComparer.Ordinal);
        var turns = new Dictionary<string, EvalTurn>(StringComparer.Ordinal);
        DateTimeOffset? previous = null;
        foreach (var session in user.Sessions)
        {
            Require(session.Id, "session id");
            if (!sessions.Add(session.Id))
            {
                Fail($"session id '{session.Id}' is used twice; session ids must be unique within a user.");
            }

            if (previous is { } p && session.At < p)
            {
                Fail($"session '{session.Id}' starts at {session.At:O}, before the session above it; list sessions in time order.");
            }

            previous = session.At;
            if (!user.Agents.Contains(session.Agent, StringComparer.Ordinal))
            {
                Fail($"session '{session.Id}' is with agent '{session.Agent}', which is not in 'agents' ({string.Join(", ", user.Agents)}); add it there or fix the name.");
            }

            if (session.Turns.Count == 0)
            {
                Fail($"session '{session.Id}' has no turns.");
            }

            foreach (var turn in session.Turns)
            {
                Require(turn.Id, "turn id");
                Require(turn.Text, $"text of turn '{turn.Id}'");
                if (!turns.TryAdd(turn.Id, turn))
                {
                    Fail($"turn id '{turn.Id}' is used twice; turn ids must be unique within a user (e.g. s2-3).");
                }

                if (!Roles.Contains(turn.Role))
                {
                    Fail($"turn '{turn.Id}' has role '{turn.Role}'; use one of {string.Join(", ", Roles)}.");
                }

                if (turn.Role == EvalTurn.ToolRole && string.IsNullOrWhiteSpace(turn.Tool))
                {
                    Fail($"tool turn '{turn.Id}' has no 'tool' (the tool's name).");
                }
            }
        }

        var memories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var memory in user.Memories)
        {
            Require(memory.Id, "memory id");
            if (!memories.Add(memory.Id))
            {
                Fail($"memory id '{memory.Id}' is used twice.");
            }

            if (!MemoryTypes.BuiltIn.Contains(memory.Type, StringComparer.Ordinal))
            {
                Fail($"memory '{memory.Id}' has type '{memory.Type}'; use one of {string.Join(", ", MemoryTypes.BuiltIn)}.");
            }

            if (memory.Evidence.Count == 0)
            {
                Fail($"memory '{memory.Id}' cites no evidence; list the turn ids that state it.");
            }

            foreach (var turn in memory.Evidence.Where(t => !turns.ContainsKey(t)))
            {
                Fail($"memory '{memory.Id}' cites turn '{turn}', which no session has; fix the turn id.");
            }

            Require(memory.Value, $"value of memory '{memory.Id}'");
            if (!Statuses.Contains(memory.Status))
            {
                Fail($"memory '{memory.Id}' has status '{memory.Status}'; use one of {string.Join(", ", Statuses)}.");
            }
        }

        foreach (var plant in user.Plants)
        {
            if (!turns.TryGetValue(plant.Turn, out var turn))
            {
                Fail($"a {plant.Kind} plant is on turn '{plant.Turn}', which no session has; fix the turn id.");
                return;
            }

            if (!PlantKinds.Contains(plant.Kind))
            {
                Fail($"the plant on turn '{plant.Turn}' has kind '{plant.Kind}'; use one of {string.Join(", ", PlantKinds)}.");
            }

            if (plant.Kind is EvalPlant.Secret or EvalPlant.Poisoning && string.IsNullOrWhiteSpace(plant.Value))
            {
                Fail($"the {plant.Kind} plant on turn '{plant.Turn}' has no 'value' (the exact secret or instruction text).");
            }

            if (plant.Kind == EvalPlant.Secret && !turn.Text.Contains(plant.Value!, StringComparison.Ordinal))
            {
                Fail($"the secret '{plant.Value}' planted on turn '{plant.Turn}' is not in the turn's text; copy it exactly.");
            }
        }

        var changes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in user.Changes)
        {
            Require(change.Id, "change id");
            if (!changes.Add(change.Id))
            {
                Fail($"change id '{change.Id}' is used twice.");
            }

            if (!ChangeKinds.Contains(change.Kind))
            {
                Fail($"change '{change.Id}' has kind '{change.Kind}'; use one of {string.Join(", ", ChangeKinds)}.");
            }

            if (!sessions.Contains(change.After))
            {
                Fail($"change '{change.Id}' takes effect after session '{change.After}', which does not exist.");
            }

            if (!memories.Contains(change.Memory))
            {
                Fail($"change '{change.Id}' changes memory '{change.Memory}', which 'memories' does not define.");
            }

            if (change.Kind == EvalChange.Supersede && (change.Replacement is null || !memories.Contains(change.Replacement)))
            {
                Fail($"supersede change '{change.Id}' needs a 'replacement' naming the new value's memory id.");
            }

            if (change.Agent is { } agent && !user.Agents.Contains(agent, StringComparer.Ordinal))
            {
                Fail($"change '{change.Id}' is probed by agent '{agent}', which is not in 'agents'.");
            }

            Require(change.Probe, $"probe of change '{change.Id}'");
        }

        var tasks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in user.Tasks)
        {
            Require(task.Id, "task id");
            if (!tasks.Add(task.Id))
            {
                Fail($"task id '{task.Id}' is used twice.");
            }

            Require(task.Kind, $"kind of task '{task.Id}'");
            Require(task.Query, $"query of task '{task.Id}'");
            if (!sessions.Contains(task.After))
            {
                Fail($"task '{task.Id}' runs after session '{task.After}', which does not exist.");
            }

            if (!user.Agents.Contains(task.Agent, StringComparer.Ordinal))
            {
                Fail($"task '{task.Id}' is run by agent '{task.Agent}', which is not in 'agents'.");
            }

            if (task.Needs.Count == 0)
            {
                Fail($"task '{task.Id}' needs no memory; list at least one expected memory id in 'needs'.");
            }

            foreach (var id in task.Needs.Concat(task.Relevant).Where(id => !memories.Contains(id)))
            {
                Fail($"task '{task.Id}' refers to memory '{id}', which 'memories' does not define.");
            }
        }

        void Require(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Fail($"'{field}' is missing or blank.");
            }
        }
    }
}
