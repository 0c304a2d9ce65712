using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>A started emulator plus a client of the chosen flavor pointed at it over loopback.</summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    private readonly List<(Mem0Client Client, RecordingHandler Recorder)> _clients = [];

    private ClientHarness(Mem0Emulator emulator, Mem0ApiFlavor flavor)
    {
        Emulator = emulator;
        Flavor = flavor;
    }

    public Mem0Emulator Emulator { get; }

    public Mem0ApiFlavor Flavor { get; }

    public Mem0Client Client { get; private set; } = null!;

    public RecordingHandler Recorder { get; private set; } = null!;

    public static async Task<ClientHarness> StartAsync(Mem0ApiFlavor flavor, Action<Mem0ClientOptions>? configure = null, Mem0EmulatorOptions? emulatorOptions = null)
    {
        var emulator = await Mem0Emulator.StartAsync(emulatorOptions, TestContext.Current.CancellationToken);
        var harness = new ClientHarness(emulator, flavor);
        (harness.Client, harness.Recorder) = harness.CreateClient(configure);
        return harness;
    }

    public (Mem0Client Client, RecordingHandler Recorder) CreateClient(Action<Mem0ClientOptions>? configure = null)
    {
        var options = new Mem0ClientOptions
        {
            BaseAddress = Emulator.BaseAddress,
            Flavor = Flavor,
            ApiKey = Flavor == Mem0ApiFlavor.Platform ? Emulator.Options.PlatformApiKey : Emulator.Options.ServerAdminKey,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            AttemptTimeout = TimeSpan.FromSeconds(10),
            TotalTimeout = TimeSpan.FromSeconds(30),
            EventPollInterval = TimeSpan.FromMilliseconds(20),
            EventPollTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        var recorder = new RecordingHandler();
        var client = new Mem0Client(options, recorder);
        _clients.Add((client, recorder));
        return (client, recorder);
    }

    public static Mem0Entities Scope(string user = "alice", string? agent = null) => new(UserId: user, AgentId: agent);

    public async Task<IReadOnlyList<Mem0AddResult>> AddVerbatimAsync(Mem0Entities entities, params string[] texts) =>
        await Client.AddAsync(
            new Mem0AddRequest { Messages = [.. texts.Select(t => new Mem0Message("user", t))], Entities = entities, Infer = false },
            TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var (client, recorder) in _clients)
        {
            client.Dispose();

            // The client leaves a handler passed in to its owner.
            recorder.Dispose();
        }

        await Emulator.DisposeAsync();
    }
}
