using Microsoft.Extensions.AI;

namespace SkMemory.Tests;

/// <summary>How a <see cref="ScriptedEmbeddingGenerator"/> answers while it fails.</summary>
public enum EmbedderFault
{
    /// <summary>It works: every call goes to the inner generator.</summary>
    None,

    /// <summary>Every call throws <see cref="HttpRequestException"/>, as an unreachable embedding endpoint does.</summary>
    Throw,

    /// <summary>Every call hangs until its token is cancelled (the store's embedding timeout must end it).</summary>
    Hang,
}

/// <summary>
/// A real embedding generator (the inner one) that a fact can make fail and recover: it throws or hangs while
/// <see cref="Fault"/> says so, and otherwise answers exactly as the inner generator. Calls and failures are counted.
/// </summary>
/// <param name="inner">The generator that answers when it works.</param>
public sealed class ScriptedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private long _failures;
    private long _successes;

    /// <summary>Gets or sets how calls fail from now on; <see cref="EmbedderFault.None"/> recovers.</summary>
    public EmbedderFault Fault { get; set; }

    /// <summary>Gets or sets a hook run at the start of every call (a fact cancels its own token here).</summary>
    public Action? OnCall { get; set; }

    /// <summary>Gets how many calls failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Gets how many calls the inner generator answered.</summary>
    public long Successes => Interlocked.Read(ref _successes);

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        OnCall?.Invoke();
        switch (Fault)
        {
            case EmbedderFault.Throw:
                Interlocked.Increment(ref _failures);
                throw new HttpRequestException("the embedding endpoint refused the connection (scripted fault)");
            case EmbedderFault.Hang:
                Interlocked.Increment(ref _failures);
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new InvalidOperationException("unreachable: an infinite delay ends only by cancellation");
            default:
                var result = await inner.GenerateAsync(values, options, cancellationToken);
                Interlocked.Increment(ref _successes);
                return result;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : inner.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
