namespace SkMemory.Tests;

/// <summary>A clock that only moves when a test moves it. Thread-safe.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _utcTicks;

    /// <summary>Initializes a new instance of the <see cref="ManualTimeProvider"/> class.</summary>
    /// <param name="start">The initial time (converted to UTC).</param>
    public ManualTimeProvider(DateTimeOffset start)
    {
        _utcTicks = start.UtcTicks;
    }

    /// <summary>Gets or sets the current UTC time.</summary>
    public DateTimeOffset UtcNow
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => UtcNow;

    /// <summary>Moves the clock forward.</summary>
    /// <param name="delta">How far; must not be negative.</param>
    /// <returns>The new time.</returns>
    public DateTimeOffset Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        return new DateTimeOffset(Interlocked.Add(ref _utcTicks, delta.Ticks), TimeSpan.Zero);
    }
}
