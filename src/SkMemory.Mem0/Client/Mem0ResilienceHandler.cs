using System.Globalization;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace SkMemory.Mem0;

/// <summary>
/// Runs every Mem0 call through one Polly pipeline: a total timeout around retries (exponential back-off with jitter,
/// <c>Retry-After</c> honoured and capped) around a per-attempt timeout. It then turns what is left of a failure into a
/// <see cref="Mem0ApiException"/>, so Refit only ever sees successful responses.
/// </summary>
/// <remarks>
/// Every method is retried, POST included: a 429 or a transport failure means the write did not happen or will be deduplicated,
/// and a 5xx on add is retried on purpose because Mem0 v3 drops an identical text in the same scope (md5 dedup), so a repeat
/// cannot create a second copy.
/// </remarks>
internal sealed class Mem0ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("SkMemory.Mem0.Request");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly Mem0ClientOptions _options;
    private readonly ILogger _logger;

    public Mem0ResilienceHandler(Mem0ClientOptions options, HttpMessageHandler innerHandler, ILogger logger, TimeProvider timeProvider)
        : base(innerHandler)
    {
        _options = options;
        _logger = logger;
        _pipeline = BuildPipeline(options, logger, timeProvider);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Buffer the body once so each attempt sends the same bytes.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    attempts++;
                    return await base.SendAsync(request, ctx.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException)
        {
            Mem0ClientLog.GaveUp(_logger, request.Method, request.RequestUri?.AbsolutePath, attempts, ex.Message);
            throw Mem0ErrorFactory.FromTransportFailure(ex, attempts, request.RequestUri is { } u ? new Uri(u.GetLeftPart(UriPartial.Authority)) : null, _options);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            if (Mem0ErrorFactory.IsTransient(response.StatusCode) && attempts > 1)
            {
                Mem0ClientLog.GaveUp(_logger, request.Method, request.RequestUri?.AbsolutePath, attempts, response.StatusCode.ToString());
            }

            throw await Mem0ErrorFactory.FromResponseAsync(response, attempts, _options.Flavor, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(Mem0ClientOptions options, ILogger logger, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider, Name = "SkMemory.Mem0" };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout, Name = "total" });
        if (options.MaxRetries > 0)
        {
            var maxDelay = options.MaxRetryDelay;
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: OperationCanceledException } when args.Context.CancellationToken.IsCancellationRequested => false,
                    { Exception: HttpRequestException or TimeoutRejectedException or IOException } => true,
                    { Result: { } r } => Mem0ErrorFactory.IsTransient(r.StatusCode),
                    _ => false,
                }),

                // Retry-After wins over the back-off, but never beyond MaxRetryDelay. Polly does not cap generated delays itself.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, timeProvider, maxDelay)),
                OnRetry = args =>
                {
                    var request = args.Context.Properties.GetValue(RequestKey, null!);
                    var retry = args.AttemptNumber + 1;
                    if (args.Outcome.Result is { } r)
                    {
                        Mem0ClientLog.RetryingStatus(logger, request.Method, request.RequestUri?.AbsolutePath, r.StatusCode, retry, options.MaxRetries, args.RetryDelay.TotalMilliseconds);
                    }
                    else
                    {
                        Mem0ClientLog.RetryingException(logger, request.Method, request.RequestUri?.AbsolutePath, args.Outcome.Exception?.Message ?? "unknown", retry, options.MaxRetries, args.RetryDelay.TotalMilliseconds);
                    }

                    return default;
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout, Name = "attempt" });
        return builder.Build();
    }

    /// <summary>The delay a <c>Retry-After</c> header asks for (seconds or an HTTP date), capped; null when there is none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider timeProvider, TimeSpan maxDelay)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? delay = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - timeProvider.GetUtcNow(),
            _ => null,
        };

        // Some servers send a fractional number of seconds, which the typed header refuses.
        if (delay is null && response is not null && response.Headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            delay = TimeSpan.FromSeconds(seconds);
        }

        if (delay is null)
        {
            return null;
        }

        return delay.Value < TimeSpan.Zero ? TimeSpan.Zero : delay.Value > maxDelay ? maxDelay : delay.Value;
    }
}
