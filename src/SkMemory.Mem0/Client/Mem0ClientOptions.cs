namespace SkMemory.Mem0;

/// <summary>Where a <see cref="Mem0Client"/> connects, how it authenticates, and how hard it retries.</summary>
public sealed class Mem0ClientOptions
{
    /// <summary>Gets or sets the API root, for example the Platform's address or <c>http://localhost:8888</c> for a self-hosted server.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Gets or sets the API key: sent as <c>Authorization: Token</c> to the Platform and as <c>X-API-Key</c> to a self-hosted server.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets which API the server speaks.</summary>
    public Mem0ApiFlavor Flavor { get; set; } = Mem0ApiFlavor.Platform;

    /// <summary>Gets or sets the Platform organization id sent with every request (legacy; sent only when <see cref="ProjectId"/> is set too).</summary>
    public string? OrgId { get; set; }

    /// <summary>Gets or sets the Platform project id sent with every request (legacy; sent only when <see cref="OrgId"/> is set too).</summary>
    public string? ProjectId { get; set; }

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the timeout of a whole call, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many times a call is retried after a 408, 429, 5xx or transport failure.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Gets or sets the first retry delay; later ones back off exponentially with jitter. A <c>Retry-After</c> header wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest delay honoured from a <c>Retry-After</c> header or the back-off.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an asynchronous Platform add (<c>PENDING</c> plus an event id) is polled before giving up.</summary>
    public TimeSpan EventPollTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the interval between polls of an asynchronous Platform event.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is missing or out of range.</summary>
    public void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || (BaseAddress.Scheme != Uri.UriSchemeHttp && BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(BaseAddress)} must be an absolute http or https address; it is '{BaseAddress}'.", nameof(BaseAddress));
        }

        if (Flavor == Mem0ApiFlavor.Platform && string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException($"{nameof(ApiKey)} is required for the Mem0 Platform (set MEM0_API_KEY or pass one).", nameof(ApiKey));
        }

        if ((OrgId is null) != (ProjectId is null))
        {
            throw new ArgumentException($"Set both {nameof(OrgId)} and {nameof(ProjectId)}, or neither.", OrgId is null ? nameof(OrgId) : nameof(ProjectId));
        }

        Check(AttemptTimeout > TimeSpan.Zero, nameof(AttemptTimeout), "positive");
        Check(TotalTimeout >= AttemptTimeout, nameof(TotalTimeout), $"at least {nameof(AttemptTimeout)}");
        Check(MaxRetries is >= 0 and <= 20, nameof(MaxRetries), "between 0 and 20");
        Check(RetryBaseDelay >= TimeSpan.Zero, nameof(RetryBaseDelay), "zero or positive");
        Check(MaxRetryDelay >= RetryBaseDelay, nameof(MaxRetryDelay), $"at least {nameof(RetryBaseDelay)}");
        Check(EventPollTimeout > TimeSpan.Zero, nameof(EventPollTimeout), "positive");
        Check(EventPollInterval > TimeSpan.Zero, nameof(EventPollInterval), "positive");

        static void Check(bool valid, string name, string rule)
        {
            if (!valid)
            {
                throw new ArgumentException($"{name} must be {rule}.", name);
            }
        }
    }
}
