using SkMemory.Mem0.Emulator;

namespace SkMemory.Mem0.Tests;

/// <summary>One Mem0 emulator on a loopback port for a whole test class; facts keep apart by tenant.</summary>
public sealed class Mem0EmulatorFixture : IAsyncLifetime
{
    /// <summary>Gets the running emulator.</summary>
    public Mem0Emulator Emulator { get; private set; } = null!;

    /// <summary>Gets client options for the emulator's Platform API, with retries short enough for tests.</summary>
    public Mem0ClientOptions PlatformOptions() => new()
    {
        BaseAddress = Emulator.BaseAddress,
        ApiKey = Emulator.Options.PlatformApiKey,
        Flavor = Mem0ApiFlavor.Platform,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetries = 2,
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Gets client options for the emulator's self-hosted server API.</summary>
    public Mem0ClientOptions ServerOptions() => new()
    {
        BaseAddress = Emulator.BaseAddress,
        ApiKey = Emulator.Options.ServerAdminKey,
        Flavor = Mem0ApiFlavor.OpenSource,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetries = 2,
        AttemptTimeout = TimeSpan.FromSeconds(10),
        TotalTimeout = TimeSpan.FromSeconds(30),
    };

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Emulator = await Mem0Emulator.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Emulator.DisposeAsync();
}
