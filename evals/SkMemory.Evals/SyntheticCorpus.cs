using System.Globalization;
using System.Text;

namespace SkMemory.Evals;

/// <summary>One synthetic memory and the question aimed at it.</summary>
/// <param name="Subject">Whose memory it is.</param>
/// <param name="Index">Its position among the subject's memories.</param>
/// <param name="Type">The memory type: preference, fact or event.</param>
/// <param name="Text">The memory text.</param>
/// <param name="Question">A question this memory answers.</param>
/// <param name="Salience">The salience it is written with.</param>
/// <param name="Confidence">The confidence it is written with.</param>
/// <param name="ValidFrom">When an event happened; null for preferences and facts.</param>
public sealed record SyntheticMemory(string Subject, int Index, string Type, string Text, string Question, double Salience, double Confidence, DateTimeOffset? ValidFrom)
{
    /// <summary>Gets the idempotency key it is written with, unique in the tenant; it makes re-ingest a no-op.</summary>
    public string IdempotencyKey => string.Create(CultureInfo.InvariantCulture, $"{Subject}:{Index}");
}

/// <summary>A benchmark query.</summary>
/// <param name="Subject">The subject searched.</param>
/// <param name="Text">The query text.</param>
/// <param name="TargetKey">The idempotency key of the memory the question is aimed at, or null for an off-topic question.</param>
public sealed record SyntheticQuery(string Subject, string Text, string? TargetKey);

/// <summary>
/// Deterministic synthetic memories about people, projects, places and events, and questions over them: the same seed
/// gives the same texts on every machine and run. Every subject's texts are distinct (the store keeps one memory per
/// content and subject, so duplicates would shrink the data set).
/// </summary>
/// <remarks>
/// Texts come from 21 templates (preferences, facts, events) filled from small vocabularies; each template also has a
/// question aimed at the memory it produced. Off-topic questions use a vocabulary that never appears in a memory.
/// </remarks>
public sealed class SyntheticCorpus
{
    /// <summary>The version of the templates and vocabularies; a change gives other texts, so data sets are keyed by it.</summary>
    public const int Version = 1;

    private static readonly string[] Names =
    [
        "Ana", "Ben", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nadia",
        "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe", "Aleksander",
        "Beatriz", "Carlos", "Divya", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julia", "Kenji", "Lucia", "Marek", "Noor",
    ];

    private static readonly string[] Cities =
    [
        "Lisbon", "Berlin", "Nairobi", "Osaka", "Toronto", "Sao Paulo", "Krakow", "Melbourne", "Seoul", "Dublin", "Austin", "Lyon",
        "Cape Town", "Oslo", "Hanoi", "Bogota", "Vienna", "Edinburgh", "Porto", "Montreal", "Singapore", "Istanbul", "Tallinn", "Valencia",
    ];

    private static readonly string[] Projects =
    [
        "Falcon", "Atlas", "Nimbus", "Orion", "Juniper", "Basalt", "Kestrel", "Mosaic", "Lantern", "Quartz",
        "Harbor", "Tundra", "Meridian", "Cobalt", "Sparrow", "Willow", "Beacon", "Granite", "Aurora", "Pinnacle",
    ];

    private static readonly string[] Drinks =
    [
        "oat milk flat whites", "green tea", "black coffee", "sparkling water", "chai", "espresso", "hot chocolate", "peppermint tea",
        "cold brew", "matcha lattes", "rooibos", "lemon water",
    ];

    private static readonly string[] DayParts = ["morning", "afternoon", "evening", "lunch break", "long meetings", "night shifts"];

    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static readonly string[] Activities =
    [
        "go running", "play chess", "bake bread", "go climbing", "read science fiction", "play the cello", "go cycling",
        "paint watercolours", "do yoga", "go sailing", "visit museums", "play football",
    ];

    private static readonly string[] Formats = ["PDF", "Markdown", "a short email", "a chat summary", "a slide deck", "a shared document", "bullet points", "a voice memo"];

    private static readonly string[] Travel = ["train", "plane", "car", "bus", "ferry", "bike", "night train", "coach"];

    private static readonly string[] Foods =
    [
        "mushrooms", "cilantro", "spicy curries", "sushi", "blue cheese", "olives", "peanut butter", "eggplant", "anchovies", "licorice",
        "raw onions", "coconut", "beetroot", "tofu",
    ];

    private static readonly string[] Tools = ["Rider", "VS Code", "Vim", "Emacs", "IntelliJ", "Excel", "Notion", "Obsidian", "Jira", "Linear", "Figma", "Postman"];

    private static readonly string[] Tasks =
    [
        "code reviews", "note taking", "budgeting", "sprint planning", "writing specs", "debugging", "drawing diagrams", "tracking bugs",
        "release notes", "load testing",
    ];

    private static readonly string[] Roles =
    [
        "backend engineer", "product manager", "data scientist", "designer", "site reliability engineer", "tech lead", "QA analyst",
        "engineering manager", "security engineer", "technical writer",
    ];

    private static readonly string[] Teams = ["platform", "payments", "search", "mobile", "growth", "infrastructure", "data", "security", "billing", "support tooling"];

    private static readonly string[] Techs = ["Postgres", "Kafka", "Rust", "Go", ".NET", "React", "Kubernetes", "Terraform", "Python", "Redis", "gRPC", "Elasticsearch"];

    private static readonly string[] Relations = ["sister", "brother", "partner", "cousin", "mentor", "manager", "neighbour", "best friend"];

    private static readonly string[] Fields = ["architecture", "nursing", "finance", "marine biology", "teaching", "law", "journalism", "robotics"];

    private static readonly string[] Allergens = ["peanuts", "shellfish", "penicillin", "cats", "pollen", "gluten", "latex", "bee stings", "dust mites", "sesame"];

    private static readonly string[] Languages = ["Portuguese", "German", "Japanese", "Spanish", "French", "Swahili", "Korean", "Polish", "Italian", "Hindi", "Turkish", "Dutch"];

    private static readonly string[] Pets = ["dog", "cat", "parrot", "rabbit", "tortoise", "hamster", "horse", "goldfish"];

    private static readonly string[] PetNames = ["Biscuit", "Pepper", "Mango", "Luna", "Ziggy", "Olive", "Waffles", "Nova", "Pickles", "Maple", "Bruno", "Kiwi"];

    private static readonly string[] Topics =
    [
        "the Q3 budget", "the hiring plan", "the cloud migration", "the on-call rotation", "the pricing change", "the security audit",
        "next year's roadmap", "the customer churn report", "the office move", "the API redesign", "the incident postmortem", "the vendor contract",
    ];

    private static readonly string[] Components =
    [
        "login page", "export job", "search index", "billing service", "notification queue", "mobile app", "reporting dashboard",
        "upload API", "permissions check", "cache layer",
    ];

    private static readonly string[] Gatherings = ["conference", "customer workshop", "offsite", "hackathon", "board meeting", "trade fair", "team retreat", "training course"];

    private static readonly string[] Months =
    [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ];

    private static readonly string[] OffTopicStarts =
    [
        "How do I repair", "What is the history of", "Where can I buy", "How much does it cost to insure", "What is the safest way to clean",
        "Who invented", "How heavy is", "How do you tune",
    ];

    private static readonly string[] OffTopicThings =
    [
        "a vintage typewriter", "a sourdough starter", "a kayak paddle", "the saxophone", "a solar panel inverter", "a bonsai tree",
        "a metronome", "a hot air balloon", "the gramophone", "a snow blower", "a sewing machine", "a telescope mirror",
    ];

    // (type, memory, question): {slot} placeholders, filled the same way in both.
    private static readonly (string Type, string Memory, string Question)[] Templates =
    [
        ("preference", "{name} prefers {drink} during the {daypart}.", "What does {name} drink during the {daypart}?"),
        ("preference", "{name} likes to {activity} on {weekday}s.", "What does {name} like to do on {weekday}s?"),
        ("preference", "{name} wants meeting notes sent as {format}, never as {format2}.", "In what form does {name} want meeting notes?"),
        ("preference", "{name} would rather travel to {city} by {travel} than by {travel2}.", "How does {name} like to get to {city}?"),
        ("preference", "{name} dislikes {food} and skips them at team lunches.", "Which food does {name} skip at team lunches?"),
        ("preference", "{name} prefers {tool} over {tool2} for {task}.", "Which tool does {name} use for {task}?"),
        ("preference", "While working on {project}, {name} wants {drink} and a quiet desk by the window.", "What does {name} want while working on {project}?"),
        ("fact", "{name} works as a {role} on the {project} project.", "What is {name}'s role on {project}?"),
        ("fact", "{name} lives in {city} and commutes by {travel}.", "Where does {name} live and how do they commute?"),
        ("fact", "{name}'s {relation} {name2} works in {field}.", "What does {name}'s {relation} {name2} do for a living?"),
        ("fact", "{name} is allergic to {allergen} and carries medication on trips to {city}.", "What is {name} allergic to?"),
        ("fact", "The {project} project runs on {tech} and belongs to the {team} team; {name} is its contact.", "Which team owns {project} and what does it run on?"),
        ("fact", "{name} speaks {language} and is learning {language2}.", "Which languages does {name} speak?"),
        ("fact", "{name} has a {pet} named {petname} who stays with {name2} during trips.", "What is the name of {name}'s {pet}?"),
        ("fact", "{name}'s birthday is on {day} {month}, and they like {food} for cake.", "When is {name}'s birthday?"),
        ("event", "On {day} {month} {year}, {name} met {name2} in {city} to discuss {topic}.", "Where did {name} meet {name2} about {topic}?"),
        ("event", "{name} shipped version {major}.{minor} of {project} on {day} {month} {year}.", "When did {name} ship {project} {major}.{minor}?"),
        ("event", "{name} flew to {city} on {day} {month} {year} for the {gathering}.", "When did {name} go to {city} for the {gathering}?"),
        ("event", "On {day} {month} {year}, {name} reported a bug in the {component} of {project}.", "Who reported the {component} bug in {project}?"),
        ("event", "{name} presented {topic} to the {team} team on {day} {month} {year}.", "When did {name} present {topic} to the {team} team?"),
        ("event", "{name} and {name2} paired on the {component} of {project} for {hours} hours on {day} {month} {year}.", "Who paired with {name} on the {component} of {project}?"),
    ];

    private readonly int _seed;
    private readonly Dictionary<int, IReadOnlyList<SyntheticMemory>> _cache = [];

    /// <summary>Initializes a new instance of the <see cref="SyntheticCorpus"/> class.</summary>
    /// <param name="memories">How many memories in all, at least 1.</param>
    /// <param name="subjects">Over how many subjects, 1..<paramref name="memories"/>; the memories are spread evenly.</param>
    /// <param name="seed">The seed.</param>
    public SyntheticCorpus(int memories, int subjects, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memories, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subjects, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subjects, memories);
        MemoryCount = memories;
        SubjectCount = subjects;
        _seed = seed;
        var width = Math.Max(4, subjects.ToString(CultureInfo.InvariantCulture).Length);
        Subjects = Enumerable.Range(1, subjects).Select(i => "user-" + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')).ToList();
    }

    /// <summary>Gets how many memories the corpus has.</summary>
    public int MemoryCount { get; }

    /// <summary>Gets how many subjects the memories are spread over.</summary>
    public int SubjectCount { get; }

    /// <summary>Gets the subject ids, <c>user-0001</c> and on.</summary>
    public IReadOnlyList<string> Subjects { get; }

    /// <summary>Gets how many memories a subject has: an even share, the first subjects taking the remainder.</summary>
    /// <param name="subject">The subject's position, 0-based.</param>
    /// <returns>The count.</returns>
    public int CountOf(int subject) => (MemoryCount / SubjectCount) + (subject < MemoryCount % SubjectCount ? 1 : 0);

    /// <summary>Gets a subject's memories, all distinct texts, the same for the same seed.</summary>
    /// <param name="subject">The subject's position, 0-based.</param>
    /// <returns>The memories, by index.</returns>
    public IReadOnlyList<SyntheticMemory> MemoriesOf(int subject)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subject);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(subject, SubjectCount);
        lock (_cache)
        {
            if (_cache.TryGetValue(subject, out var cached))
            {
                return cached;
            }
        }

        var random = new Random(Mix(_seed, subject));
        var count = CountOf(subject);
        var memories = new List<SyntheticMemory>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (memories.Count < count)
        {
            var memory = Compose(random, Subjects[subject], memories.Count);
            if (seen.Add(memory.Text))
            {
                memories.Add(memory);
            }
        }

        lock (_cache)
        {
            _cache[subject] = memories;
        }

        return memories;
    }

    /// <summary>
    /// Draws queries: each one searches a random subject; <paramref name="aimedShare"/> of them are questions aimed at one
    /// random memory of that subject, the others are off-topic questions no memory answers.
    /// </summary>
    /// <param name="count">How many queries.</param>
    /// <param name="stream">Which stream of draws (different streams give different queries from the same seed).</param>
    /// <param name="aimedShare">The share of aimed questions, 0..1.</param>
    /// <returns>The queries.</returns>
    public IReadOnlyList<SyntheticQuery> Queries(int count, int stream = 0, double aimedShare = 0.75)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(aimedShare, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(aimedShare, 1);
        var random = new Random(Mix(_seed, -1 - stream));
        var queries = new List<SyntheticQuery>(count);
        for (var i = 0; i < count; i++)
        {
            var subject = random.Next(SubjectCount);
            if (random.NextDouble() < aimedShare)
            {
                var memories = MemoriesOf(subject);
                var target = memories[random.Next(memories.Count)];
                queries.Add(new SyntheticQuery(target.Subject, target.Question, target.IdempotencyKey));
            }
            else
            {
                queries.Add(new SyntheticQuery(Subjects[subject], $"{Pick(random, OffTopicStarts)} {Pick(random, OffTopicThings)}?", null));
            }
        }

        return queries;
    }

    private static SyntheticMemory Compose(Random random, string subject, int index)
    {
        var (type, memoryTemplate, questionTemplate) = Templates[random.Next(Templates.Length)];
        var slots = new Dictionary<string, string>(StringComparer.Ordinal);
        var memory = Fill(memoryTemplate, slots, slot => Draw(slot, slots, random));
        var question = Fill(questionTemplate, slots, slot => Draw(slot, slots, random));
        var salience = Math.Round(0.3 + (0.6 * random.NextDouble()), 2);
        var confidence = Math.Round(0.6 + (0.4 * random.NextDouble()), 2);
        DateTimeOffset? validFrom = type == "event" && slots.TryGetValue("year", out var year)
            ? new DateTimeOffset(
                int.Parse(year, CultureInfo.InvariantCulture),
                Array.IndexOf(Months, slots["month"]) + 1,
                int.Parse(slots["day"], CultureInfo.InvariantCulture),
                9 + random.Next(9),
                0,
                0,
                TimeSpan.Zero)
            : null;
        return new SyntheticMemory(subject, index, type, memory, question, salience, confidence, validFrom);
    }

    /// <summary>Fills a template's <c>{slot}</c>s, drawing each slot once per memory (a slot repeated reuses its value).</summary>
    /// <param name="template">The template.</param>
    /// <param name="slots">The values drawn so far for this memory; new draws are added.</param>
    /// <param name="draw">Draws a value for a slot not drawn yet.</param>
    /// <returns>The text.</returns>
    internal static string Fill(string template, Dictionary<string, string> slots, Func<string, string> draw)
    {
        var text = new StringBuilder(template.Length + 32);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            if (open < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }

            var close = template.IndexOf('}', open);
            text.Append(template, at, open - at);
            var slot = template[(open + 1)..close];
            if (!slots.TryGetValue(slot, out var value))
            {
                slots[slot] = value = draw(slot);
            }

            text.Append(value);
            at = close + 1;
        }

        return text.ToString();
    }

    private static string Draw(string slot, Dictionary<string, string> slots, Random random) => slot switch
    {
        "name" => Pick(random, Names),
        "name2" => PickOther(random, Names, slots.GetValueOrDefault("name")),
        "city" => Pick(random, Cities),
        "project" => Pick(random, Projects),
        "drink" => Pick(random, Drinks),
        "daypart" => Pick(random, DayParts),
        "weekday" => Pick(random, Weekdays),
        "activity" => Pick(random, Activities),
        "format" => Pick(random, Formats),
        "format2" => PickOther(random, Formats, slots.GetValueOrDefault("format")),
        "travel" => Pick(random, Travel),
        "travel2" => PickOther(random, Travel, slots.GetValueOrDefault("travel")),
        "food" => Pick(random, Foods),
        "tool" => Pick(random, Tools),
        "tool2" => PickOther(random, Tools, slots.GetValueOrDefault("tool")),
        "task" => Pick(random, Tasks),
        "role" => Pick(random, Roles),
        "team" => Pick(random, Teams),
        "tech" => Pick(random, Techs),
        "relation" => Pick(random, Relations),
        "field" => Pick(random, Fields),
        "allergen" => Pick(random, Allergens),
        "language" => Pick(random, Languages),
        "language2" => PickOther(random, Languages, slots.GetValueOrDefault("language")),
        "pet" => Pick(random, Pets),
        "petname" => Pick(random, PetNames),
        "topic" => Pick(random, Topics),
        "component" => Pick(random, Components),
        "gathering" => Pick(random, Gatherings),
        "month" => Pick(random, Months),
        "day" => (1 + random.Next(28)).ToString(CultureInfo.InvariantCulture),
        "year" => (2022 + random.Next(4)).ToString(CultureInfo.InvariantCulture),
        "major" => (1 + random.Next(9)).ToString(CultureInfo.InvariantCulture),
        "minor" => random.Next(20).ToString(CultureInfo.InvariantCulture),
        "hours" => (2 + random.Next(7)).ToString(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Unknown template slot '{slot}'."),
    };

    internal static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    internal static string PickOther(Random random, string[] values, string? other)
    {
        while (true)
        {
            var value = Pick(random, values);
            if (!string.Equals(value, other, StringComparison.Ordinal))
            {
                return value;
            }
        }
    }

    // A fixed integer mix (SplitMix64's finalizer): HashCode.Combine is randomized per process, so it cannot seed a
    // corpus that must be the same on every run.
    internal static int Mix(int seed, int stream)
    {
        var x = unchecked(((ulong)(uint)seed << 32) | (uint)stream);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return (int)((x ^ (x >> 31)) & int.MaxValue);
    }
}
