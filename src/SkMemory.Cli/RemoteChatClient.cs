using System.ClientModel;
using Microsoft.Extensions.AI;

namespace SkMemory.Cli;

/// <summary>
/// A chat server's client whose failures say which server and model failed and what to check: an unreachable host, a
/// rejected key, an unknown model or a rate limit become <see cref="CliException"/>s with one-line messages instead of SDK
/// exceptions. The LLM extractor records the message on the ingestion job. Only whole replies are mapped (the extractor
/// reads no streams).
/// </summary>
internal sealed class RemoteChatClient : DelegatingChatClient
{
    private readonly ChatModelSpec _spec;
    private readonly Uri _endpoint;

    public RemoteChatClient(IChatClient inner, ChatModelSpec spec, Uri endpoint)
        : base(inner)
    {
        _spec = spec;
        _endpoint = endpoint;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            // Cancelled mid-request, the client's retry policy throws an AggregateException of the tries, not a cancellation.
            throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && RemoteEmbeddingGenerator.IsServerFailure(ex))
        {
            throw Describe(ex is AggregateException { InnerExceptions: [.., var last] } ? last : ex);
        }
    }

    private CliException Describe(Exception ex)
    {
        var where = $"{_spec.Server.StoredModel} at {_endpoint}";
        var status = ex is ClientResultException { Status: > 0 } result ? result.Status : 0;
        var detail = RemoteEmbeddingGenerator.Detail(ex);
        var (message, hint) = status switch
        {
            0 when ex is OperationCanceledException => ($"the chat model {where} did not answer in time", "try again, or use a smaller or faster model"),
            0 => ($"cannot reach the chat model {where}: {detail}", _spec.Server.Kind == EmbedderKind.Ollama
                ? $"start Ollama ('ollama serve'), or point at it with ollama:{_spec.Model}@<host> or ${EmbedderSpec.OllamaHostVariable}"
                : $"check that the server is running and the URL is right (openai:{_spec.Model}@<base-url>, or ${EmbedderSpec.OpenAIBaseUrlVariable})"),
            401 or 403 => ($"the chat model {where} refused the request (HTTP {RemoteEmbeddingGenerator.Code(status)}): {detail}", $"set {EmbedderSpec.OpenAIKeyVariable} to a key the server accepts"),
            404 => ($"the chat model {where} does not know the model '{_spec.Model}' (HTTP 404): {detail}", _spec.Server.Kind == EmbedderKind.Ollama
                ? $"run 'ollama pull {_spec.Model}' first, or check the model name"
                : "check the model name, and that the base URL ends where the server's /chat/completions path starts (often /v1)"),
            429 => ($"the chat model {where} is rate limiting requests (HTTP 429): {detail}", "wait a moment, then run the job again"),
            _ => ($"the chat model {where} failed (HTTP {RemoteEmbeddingGenerator.Code(status)}): {detail}", "check the server's logs, or try again later"),
        };

        // The extractor records only the message on the job, so it carries what to do.
        return new CliException(ExitCodes.StoreUnavailable, $"{message}; {hint}.", hint, "chat_model", ex);
    }
}
