using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace SkMemory.Cli;

/// <summary>
/// An embedding server's generator whose failures say which server, which model and what to do: an unreachable host, a
/// rejected key, an unknown model or a rate limit become <see cref="CliException"/>s instead of SDK exceptions.
/// </summary>
internal sealed class RemoteEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private const int MaxDetailLength = 300;
    private readonly EmbedderSpec _spec;
    private readonly Uri _endpoint;

    public RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, EmbedderSpec spec, Uri endpoint)
        : base(inner)
    {
        _spec = spec;
        _endpoint = endpoint;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            // Cancelled mid-request, the client's retry policy throws an AggregateException of the tries, not a cancellation.
            throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsServerFailure(ex))
        {
            // After its retries the client throws an AggregateException of every try's failure; the last one says the most.
            throw Describe(ex is AggregateException { InnerExceptions: [.., var last] } ? last : ex);
        }
    }

    /// <summary>Whether an exception is the server's (or the network's) failure, as opposed to a bug.</summary>
    /// <param name="ex">The exception.</param>
    /// <returns>Whether the server or the network failed.</returns>
    internal static bool IsServerFailure(Exception ex) =>
        ex switch
        {
            ClientResultException or HttpRequestException or IOException or OperationCanceledException => true,
            AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsServerFailure),
            _ => false,
        };

    private CliException Describe(Exception ex)
    {
        var name = _spec.StoredModel;
        var where = $"{name} at {_endpoint}";
        var status = ex is ClientResultException { Status: > 0 } result ? result.Status : 0;
        var message = status switch
        {
            0 when ex is OperationCanceledException => $"the embedder {where} did not answer in time",
            0 => $"cannot reach the embedder {where}: {Detail(ex)}",
            401 or 403 => $"the embedder {where} refused the request (HTTP {Code(status)}): {Detail(ex)}",
            404 => $"the embedder {where} does not know the model '{_spec.Model}' (HTTP 404): {Detail(ex)}",
            429 => $"the embedder {where} is rate limiting requests (HTTP 429): {Detail(ex)}",
            _ => $"the embedder {where} failed (HTTP {Code(status)}): {Detail(ex)}",
        };
        var hint = status switch
        {
            0 when _spec.Kind == EmbedderKind.Ollama =>
                $"start Ollama ('ollama serve'), or point at it with ollama:{_spec.Model}@<host> or ${EmbedderSpec.OllamaHostVariable}",
            0 => $"check that the server is running and the URL is right (openai:{_spec.Model}@<base-url>, or ${EmbedderSpec.OpenAIBaseUrlVariable})",
            401 or 403 => $"set {EmbedderSpec.OpenAIKeyVariable} to a key the server accepts",
            404 when _spec.Kind == EmbedderKind.Ollama => $"run 'ollama pull {_spec.Model}' first, or check the model name",
            404 => "check the model name, and that the base URL ends where the server's /embeddings path starts (often /v1)",
            429 => "wait a moment and run the command again; 'skmem reindex' resumes where it stopped",
            _ => "check the server's logs, or try again later",
        };
        return new CliException(ExitCodes.StoreUnavailable, message, hint, null, ex);
    }

    /// <summary>Formats an HTTP status code.</summary>
    /// <param name="status">The status code.</param>
    /// <returns>The code as text.</returns>
    internal static string Code(int status) => status.ToString(CultureInfo.InvariantCulture);

    /// <summary>The innermost (most telling) message of a failure, on one short line.</summary>
    /// <param name="ex">The failure.</param>
    /// <returns>The message.</returns>
    internal static string Detail(Exception ex)
    {
        // The innermost message says the most ("Connection refused (127.0.0.1:1)"); keep it to one short line.
        var inner = ex;
        while (inner.InnerException is { } next && inner is not ClientResultException { Status: > 0 })
        {
            inner = next;
        }

        var text = string.Join(' ', inner.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        return text.Length <= MaxDetailLength ? text : string.Concat(text.AsSpan(0, MaxDetailLength - 1), "…");
    }
}
