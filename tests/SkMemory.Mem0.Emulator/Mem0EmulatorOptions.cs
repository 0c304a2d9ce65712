namespace SkMemory.Mem0.Emulator;

/// <summary>Settings of a <see cref="Mem0Emulator"/>: keys, auth switch, async delay and clock.</summary>
public sealed class Mem0EmulatorOptions
{
    /// <summary>Gets or sets the Platform key; requests must send <c>Authorization: Token &lt;key&gt;</c>.</summary>
    public string PlatformApiKey { get; set; } = "m0-emulator-key";

    /// <summary>Gets or sets the OSS server's admin key (<c>X-API-Key</c>).</summary>
    public string ServerAdminKey { get; set; } = "oss-admin-key";

    /// <summary>Gets or sets an OSS non-admin key (403 on admin-only routes).</summary>
    public string ServerUserKey { get; set; } = "m0sk_emulatoruser0";

    /// <summary>Gets or sets a value indicating whether the OSS server runs with <c>AUTH_DISABLED=true</c> (anonymous admin).</summary>
    public bool ServerAuthDisabled { get; set; }

    /// <summary>Gets or sets how long Platform async adds stay PENDING before their memories are stored.</summary>
    public TimeSpan PlatformAsyncDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the clock for created_at/updated_at, expiry "today" and the async delay.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
