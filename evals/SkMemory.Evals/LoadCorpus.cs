using System.Globalization;
using static SkMemory.Evals.SyntheticCorpus;

namespace SkMemory.Evals;

/// <summary>One distinct text of a <see cref="LoadCorpus"/>: many memories of many subjects share it (and its embedding).</summary>
/// <param name="Type">The memory type.</param>
/// <param name="Text">The memory text.</param>
/// <param name="Question">A question the text answers.</param>
/// <param name="ValidFrom">When an event happened; null otherwise.</param>
public sealed record LoadText(string Type, string Text, string Question, DateTimeOffset? ValidFrom);

/// <summary>What happens to a memory of the load after it is written.</summary>
public enum LoadFate
{
    /// <summary>It stays active.</summary>
    Kept,

    /// <summary>A newer version supersedes it a few minutes later.</summary>
    Superseded,

    /// <summary>It is deleted a few minutes later.</summary>
    Deleted,
}

/// <summary>One memory of a <see cref="LoadCorpus"/>.</summary>
/// <param name="Index">Its position in the load (the order of writing).</param>
/// <param name="Tenant">Its tenant.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Text">The pool position of its text.</param>
/// <param name="At">When it is written.</param>
/// <param name="Salience">Its salience.</param>
/// <param name="Confidence">Its confidence.</param>
/// <param name="Channel">Where it came from, kept in its metadata.</param>
/// <param name="Fate">What happens to it after.</param>
/// <param name="Replacement">The pool position of the superseding text, when <paramref name="Fate"/> is superseded.</param>
public sealed record LoadMemory(int Index, string Tenant, string Subject, int Text, DateTimeOffset At, double Salience, double Confidence, string Channel, LoadFate Fate, int Replacement);

/// <summary>A search of the load benchmark: a question aimed at one memory, searched in its subject or in its whole tenant.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="Subject">The subject.</param>
/// <param name="Text">The question.</param>
public sealed record LoadQuery(string Tenant, string Subject, string Text);

/// <summary>
/// The scale benchmark's corpus: many memories over many subjects and tenants, drawn from a smaller pool of distinct
/// texts so each text is embedded once. The pool mixes <see cref="SyntheticCorpus"/>'s preferences, facts and events
/// with identifiers, assets, skills and constraints from templates here: all seven memory types.
/// </summary>
/// <remarks>
/// Memory <c>i</c> belongs to subject <c>i mod subjects</c>, and subject <c>s</c> to tenant <c>s mod tenants</c>; it is
/// written at a time that grows with <c>i</c> over <see cref="Span"/>, so every subject's memories spread over months.
/// A subject's texts are distinct (its k-th memory takes pool entry <c>(offset + k·stride) mod pool</c>, stride prime to
/// the pool size), so the store keeps every one. About 4 % are superseded and 2 % deleted a few minutes after writing.
/// The same seed gives the same corpus on every machine.
/// </remarks>
public sealed class LoadCorpus
{
    /// <summary>The version of the corpus; a change gives other data, so loaded data sets are keyed by it.</summary>
    public const int Version = 1;

    /// <summary>The share of memories superseded after writing.</summary>
    public const double SupersededShare = 0.04;

    /// <summary>The share of memories deleted after writing.</summary>
    public const double DeletedShare = 0.02;

    /// <summary>How long the writes spread over, ending at <see cref="End"/>.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromDays(180);

    /// <summary>When the last memory is written.</summary>
    public static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Names = ["Ana", "Ben", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya"];
    private static readonly string[] Services = ["GitHub", "Slack", "Jira", "the VPN", "AWS", "the CRM", "PagerDuty", "Okta", "the billing portal", "Datadog", "Figma", "Zoom"];
    private static readonly string[] Devices = ["laptop", "phone", "monitor", "docking station", "headset", "tablet", "security key", "keyboard"];
    private static readonly string[] Brands = ["Lenovo", "Apple", "Dell", "Samsung", "Logitech", "Jabra", "Yubico", "HP", "Asus", "Sony"];
    private static readonly string[] Files = ["the onboarding guide", "the Q3 forecast", "the design spec", "the incident runbook", "the vendor contract", "the architecture diagram", "the pricing sheet", "the release checklist"];
    private static readonly string[] Places = ["the shared drive", "the wiki", "the team folder", "the project repository", "the finance workspace", "the archive bucket"];
    private static readonly string[] Skills = ["SQL query tuning", "Kubernetes operations", "public speaking", "incident command", "React performance work", "threat modelling", "data visualisation", "contract negotiation", "Terraform modules", "statistics"];
    private static readonly string[] Levels = ["beginner", "intermediate", "advanced", "expert"];
    private static readonly string[] Certs = ["AWS Solutions Architect", "CKA", "PMP", "CISSP", "Scrum Master", "Azure Developer", "GCP Data Engineer", "ITIL"];
    private static readonly string[] Limits = ["after 6 pm", "on Fridays", "before 9 am", "during school holidays", "on weekends", "while travelling"];
    private static readonly string[] Rules = ["must not receive calls", "cannot attend meetings", "only reviews pull requests asynchronously", "needs written agendas", "does not approve spending over 5,000 euros", "cannot share customer data outside the EU"];
    private static readonly string[] Budgets = ["500", "1,200", "2,500", "4,000", "7,500", "10,000"];
    private static readonly string[] Units = ["travel", "training", "hardware", "software licences", "team events", "conference tickets"];

    // (type, memory, question) for the four types SyntheticCorpus does not write.
    private static readonly (string Type, string Memory, string Question)[] Templates =
    [
        ("identifier", "{name}'s employee number is E-{n5} and their badge id is B{n4}.", "What is {name}'s employee number?"),
        ("identifier", "{name}'s username on {service} is {lower}.{n3}.", "What is {name}'s username on {service}?"),
        ("identifier", "{name}'s ticket for {service} access is SEC-{n5}.", "Which ticket covers {name}'s {service} access?"),
        ("identifier", "{name}'s cost centre is CC-{n4} and their desk is {floor}-{n3}.", "What is {name}'s cost centre?"),
        ("asset", "{name} was issued a {brand} {device} with serial number {upper}{n5}.", "Which {device} does {name} have?"),
        ("asset", "{name} keeps {file} in {place}.", "Where does {name} keep {file}?"),
        ("asset", "{name} owns the {service} workspace used for {skill}.", "Which {service} workspace does {name} own?"),
        ("asset", "{name} returned the {brand} {device} ({upper}{n4}) to IT.", "What did {name} return to IT?"),
        ("skill", "{name} is {level} at {skill}.", "How good is {name} at {skill}?"),
        ("skill", "{name} holds the {cert} certification since {year}.", "Which certification does {name} hold?"),
        ("skill", "{name} mentors others in {skill} and is learning {skill2}.", "What does {name} mentor others in?"),
        ("skill", "{name} taught a workshop on {skill} for {n2} colleagues.", "What did {name} teach a workshop on?"),
        ("constraint", "{name} {rule} {limit}.", "What constraint does {name} have {limit}?"),
        ("constraint", "{name} has a {unit} budget of {budget} euros per quarter.", "What is {name}'s {unit} budget?"),
        ("constraint", "{name} may not use {service} for customer data.", "What may {name} not use {service} for?"),
        ("constraint", "{name} needs {n1} days' notice before travel to meet the {unit} policy.", "How much notice does {name} need before travel?"),
    ];

    private readonly LoadText[] _pool;
    private readonly (int Offset, int Stride)[] _walks;
    private readonly int _seed;

    /// <summary>Initializes a new instance of the <see cref="LoadCorpus"/> class.</summary>
    /// <param name="memories">How many memories are written (before supersedes), at least 1.</param>
    /// <param name="subjects">Over how many subjects, 1..<paramref name="memories"/>.</param>
    /// <param name="tenants">Over how many tenants, 1..<paramref name="subjects"/>.</param>
    /// <param name="distinctTexts">How many distinct texts, at least twice the memories of one subject (a supersede takes a new text).</param>
    /// <param name="seed">The seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public LoadCorpus(int memories, int subjects, int tenants, int distinctTexts, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memories, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subjects, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subjects, memories);
        ArgumentOutOfRangeException.ThrowIfLessThan(tenants, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tenants, subjects);
        var perSubject = (memories + subjects - 1) / subjects;
        if (distinctTexts < 2 * perSubject)
        {
            throw new ArgumentOutOfRangeException(nameof(distinctTexts), distinctTexts, $"must be at least {2 * perSubject}: twice the {perSubject} memories of one subject, so each subject's texts (and their new versions) are distinct");
        }

        MemoryCount = memories;
        SubjectCount = subjects;
        TenantCount = tenants;
        PerSubject = perSubject;
        _seed = seed;
        _pool = BuildPool(distinctTexts, seed);
        _walks = new (int, int)[subjects];
        for (var s = 0; s < subjects; s++)
        {
            var random = new Random(Mix(seed, s + 1));
            int stride;
            do
            {
                stride = 1 + random.Next(distinctTexts - 1);
            }
            while (Gcd(stride, distinctTexts) != 1);
            _walks[s] = (random.Next(distinctTexts), stride);
        }
    }

    /// <summary>Gets how many memories are written.</summary>
    public int MemoryCount { get; }

    /// <summary>Gets how many subjects.</summary>
    public int SubjectCount { get; }

    /// <summary>Gets how many tenants.</summary>
    public int TenantCount { get; }

    /// <summary>Gets the most memories one subject has.</summary>
    public int PerSubject { get; }

    /// <summary>Gets the distinct texts.</summary>
    public IReadOnlyList<LoadText> Pool => _pool;

    /// <summary>Gets a tenant's name.</summary>
    /// <param name="tenant">Its position, 0-based.</param>
    /// <returns>The name, <c>tenant-01</c> and on.</returns>
    public static string TenantName(int tenant) => "tenant-" + (tenant + 1).ToString("00", CultureInfo.InvariantCulture);

    /// <summary>Gets a subject's name.</summary>
    /// <param name="subject">Its position, 0-based.</param>
    /// <returns>The name, <c>user-00001</c> and on.</returns>
    public static string SubjectName(int subject) => "user-" + (subject + 1).ToString("00000", CultureInfo.InvariantCulture);

    /// <summary>Gets the memory written at position <paramref name="index"/>.</summary>
    /// <param name="index">0..<see cref="MemoryCount"/>-1.</param>
    /// <returns>The memory.</returns>
    public LoadMemory Memory(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MemoryCount);
        var subject = index % SubjectCount;
        var k = index / SubjectCount;
        var (offset, stride) = _walks[subject];
        var random = new Random(Mix(_seed, -1 - index));
        var roll = random.NextDouble();
        var fate = roll < SupersededShare ? LoadFate.Superseded : roll < SupersededShare + DeletedShare ? LoadFate.Deleted : LoadFate.Kept;
        var at = End - Span + TimeSpan.FromTicks((long)(Span.Ticks * ((double)index / MemoryCount)));
        return new LoadMemory(
            index,
            TenantName(subject % TenantCount),
            SubjectName(subject),
            (int)((offset + ((long)k * stride)) % _pool.Length),
            at,
            Math.Round(0.3 + (0.6 * random.NextDouble()), 2),
            Math.Round(0.6 + (0.4 * random.NextDouble()), 2),
            random.Next(3) switch { 0 => "chat", 1 => "email", _ => "tool" },
            fate,
            (int)((offset + ((long)(k + PerSubject) * stride)) % _pool.Length));
    }

    /// <summary>Gets the write request of a memory (the same on every store).</summary>
    /// <param name="memory">The memory.</param>
    /// <returns>The request.</returns>
    public MemoryWriteRequest Request(LoadMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var text = _pool[memory.Text];
        return new MemoryWriteRequest
        {
            Tenant = memory.Tenant,
            Type = text.Type,
            Subject = memory.Subject,
            Actor = MemoryActor.Agent("load-benchmark"),
            Value = text.Text,
            Provenance = new MemoryProvenance { SourceKind = MemorySourceKind.Message, MessageIds = ["m-" + memory.Index.ToString(CultureInfo.InvariantCulture)] },
            Salience = memory.Salience,
            Confidence = memory.Confidence,
            ValidFrom = text.ValidFrom is { } from && from < memory.At ? from : null,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["channel"] = memory.Channel },
        };
    }

    /// <summary>Draws questions aimed at random kept memories (a stream of draws per <paramref name="stream"/>).</summary>
    /// <param name="count">How many.</param>
    /// <param name="stream">Which stream.</param>
    /// <returns>The queries.</returns>
    public IReadOnlyList<LoadQuery> Queries(int count, int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(Mix(_seed, int.MinValue + stream));
        var queries = new List<LoadQuery>(count);
        while (queries.Count < count)
        {
            var memory = Memory(random.Next(MemoryCount));
            if (memory.Fate == LoadFate.Kept)
            {
                queries.Add(new LoadQuery(memory.Tenant, memory.Subject, _pool[memory.Text].Question));
            }
        }

        return queries;
    }

    private static LoadText[] BuildPool(int size, int seed)
    {
        // Three in five from SyntheticCorpus (preference, fact, event), the rest from this class's templates.
        var synthetic = size * 3 / 5;
        var pool = new List<LoadText>(size);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in new SyntheticCorpus(synthetic, 1, seed).MemoriesOf(0))
        {
            if (seen.Add(m.Text))
            {
                pool.Add(new LoadText(m.Type, m.Text, m.Question, m.ValidFrom));
            }
        }

        var random = new Random(Mix(seed, int.MaxValue));
        while (pool.Count < size)
        {
            var (type, memory, question) = Templates[random.Next(Templates.Length)];
            var slots = new Dictionary<string, string>(StringComparer.Ordinal);
            var text = Fill(memory, slots, slot => Draw(slot, slots, random));
            if (seen.Add(text))
            {
                pool.Add(new LoadText(type, text, Fill(question, slots, slot => Draw(slot, slots, random)), null));
            }
        }

        // Interleave the two sources, so every stretch of the pool has every type.
        var shuffle = new Random(Mix(seed, int.MaxValue - 1));
        var array = pool.ToArray();
        shuffle.Shuffle(array);
        return array;
    }

    private static string Draw(string slot, Dictionary<string, string> slots, Random random) => slot switch
    {
        "name" => Pick(random, Names),
        "service" => Pick(random, Services),
        "device" => Pick(random, Devices),
        "brand" => Pick(random, Brands),
        "file" => Pick(random, Files),
        "place" => Pick(random, Places),
        "skill" => Pick(random, Skills),
        "skill2" => PickOther(random, Skills, slots.GetValueOrDefault("skill")),
        "level" => Pick(random, Levels),
        "cert" => Pick(random, Certs),
        "limit" => Pick(random, Limits),
        "rule" => Pick(random, Rules),
        "budget" => Pick(random, Budgets),
        "unit" => Pick(random, Units),
        "floor" => ((char)('A' + random.Next(8))).ToString(),
        "lower" => slots["name"].ToLowerInvariant() + (char)('a' + random.Next(26)),
        "upper" => string.Concat((char)('A' + random.Next(26)), (char)('A' + random.Next(26))),
        "year" => (2012 + random.Next(14)).ToString(CultureInfo.InvariantCulture),
        "n1" => (2 + random.Next(20)).ToString(CultureInfo.InvariantCulture),
        "n2" => (5 + random.Next(60)).ToString(CultureInfo.InvariantCulture),
        "n3" => random.Next(1000).ToString("000", CultureInfo.InvariantCulture),
        "n4" => random.Next(10000).ToString("0000", CultureInfo.InvariantCulture),
        "n5" => random.Next(100000).ToString("00000", CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Unknown template slot '{slot}'."),
    };

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
