using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using SkMemory.Embeddings;

namespace SkMemory.Cli;

/// <summary>The kinds of embedder the CLI can load.</summary>
internal enum EmbedderKind
{
    /// <summary>No embedder: full-text search only.</summary>
    None,

    /// <summary>The offline all-MiniLM-L6-v2 model.</summary>
    MiniLm,

    /// <summary>OpenAI's embeddings API, or any server that speaks it (Azure OpenAI's v1 endpoint, vLLM, LM Studio, ...).</summary>
    OpenAI,

    /// <summary>Ollama, through its OpenAI-compatible endpoint.</summary>
    Ollama,
}

/// <summary>
/// An embedder as the command line names it: <c>minilm</c>, <c>none</c>, <c>openai:&lt;model&gt;[@&lt;base-url&gt;]</c> or
/// <c>ollama:&lt;model&gt;[@&lt;host&gt;]</c>. Its <see cref="StoredModel"/> (the spec without the URL) is the name the
/// store keeps the embeddings under, so a store's serving model maps back to a spec (<see cref="FromStoredModel"/>).
/// </summary>
/// <param name="Kind">The kind.</param>
/// <param name="Model">The model name, for openai and ollama.</param>
/// <param name="Endpoint">The base URL (openai) or host (ollama) given in the spec, if any.</param>
internal sealed record EmbedderSpec(EmbedderKind Kind, string? Model = null, Uri? Endpoint = null)
{
    /// <summary>The API key of openai specs.</summary>
    public const string OpenAIKeyVariable = "OPENAI_API_KEY";

    /// <summary>The base URL of openai specs that give none.</summary>
    public const string OpenAIBaseUrlVariable = "OPENAI_BASE_URL";

    /// <summary>The host of ollama specs that give none.</summary>
    public const string OllamaHostVariable = "OLLAMA_HOST";

    /// <summary>The Ollama host when neither the spec nor $OLLAMA_HOST gives one.</summary>
    public const string DefaultOllamaHost = "http://localhost:11434";

    /// <summary>What --embedder accepts, for help and hints.</summary>
    public const string Forms = "minilm, none, openai:<model>[@<base-url>] or ollama:<model>[@<host>]";

    private const int MaxModelLength = 150;

    // Sent when the server ignores keys (a local OpenAI-compatible server, Ollama): the client refuses an empty one.
    private const string PlaceholderKey = "unused";

    /// <summary>Gets OpenAI's own API, where openai specs without a base URL go.</summary>
    public static Uri DefaultOpenAIEndpoint { get; } = new("https://api.openai.com/v1");

    /// <summary>Gets the offline default.</summary>
    public static EmbedderSpec MiniLm { get; } = new(EmbedderKind.MiniLm);

    /// <summary>Gets the spec of no embedder.</summary>
    public static EmbedderSpec None { get; } = new(EmbedderKind.None);

    /// <summary>Gets the name the store keeps this embedder's vectors under, or null for none.</summary>
    public string? StoredModel =>
        Kind switch
        {
            EmbedderKind.MiniLm => MiniLmModel.ModelId,
            EmbedderKind.OpenAI => $"openai:{Model}",
            EmbedderKind.Ollama => $"ollama:{Model}",
            _ => null,
        };

    /// <summary>Gets whether the embedder is a server reached over HTTP.</summary>
    public bool IsRemote => Kind is EmbedderKind.OpenAI or EmbedderKind.Ollama;

    /// <summary>Parses a spec.</summary>
    /// <param name="text">The spec, as given.</param>
    /// <param name="field">The option it came from, for the error (<c>embedder</c> or <c>model</c>).</param>
    /// <returns>The spec.</returns>
    /// <exception cref="CliException">The spec is invalid (exit code 2).</exception>
    public static EmbedderSpec Parse(string? text, string field = "embedder")
    {
        var spec = text?.Trim() ?? string.Empty;
        if (spec.Length == 0)
        {
            throw CliException.Invalid(field, "no embedder given", $"use {Forms}");
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? spec : spec[..colon]).ToLowerInvariant();
        switch (kind)
        {
            case "minilm" or "none" when colon >= 0:
                throw CliException.Invalid(field, $"'{kind}' takes no model name ('{spec}')", $"use --{field} {kind}, or one of {Forms}");
            case "minilm":
                return MiniLm;
            case "none":
                return None;
            case "openai" or "ollama" when colon < 0:
                throw CliException.Invalid(field, $"'{spec}' names no model", Example(kind, field));
            case "openai" or "ollama":
                break;
            default:
                throw CliException.Invalid(field, $"unknown embedder '{spec}'", $"use {Forms}");
        }

        var rest = spec[(colon + 1)..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var model = (at < 0 ? rest : rest[..at]).Trim();
        if (model.Length == 0)
        {
            throw CliException.Invalid(field, $"'{spec}' names no model", Example(kind, field));
        }

        if (model.Length > MaxModelLength || model.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw CliException.Invalid(field, $"'{model}' is not a model name (at most {MaxModelLength} characters, no spaces)", Example(kind, field));
        }

        Uri? endpoint = null;
        if (at >= 0)
        {
            var url = rest[(at + 1)..].Trim();
            endpoint = kind == "ollama"
                ? OllamaEndpoint(url, field, $"the host in '{spec}'")
                : HttpUrl(url, field, $"the base URL in '{spec}'");
        }

        return new EmbedderSpec(kind == "openai" ? EmbedderKind.OpenAI : EmbedderKind.Ollama, model, endpoint);
    }

    /// <summary>Maps the name a store keeps embeddings under back to the spec that writes it.</summary>
    /// <param name="storedModel">The stored model name.</param>
    /// <returns>The spec (without a URL: the environment supplies it), or null when skmem cannot load that model.</returns>
    public static EmbedderSpec? FromStoredModel(string? storedModel)
    {
        if (string.IsNullOrEmpty(storedModel))
        {
            return null;
        }

        if (string.Equals(storedModel, MiniLmModel.ModelId, StringComparison.Ordinal))
        {
            return MiniLm;
        }

        foreach (var (prefix, kind) in new[] { ("openai:", EmbedderKind.OpenAI), ("ollama:", EmbedderKind.Ollama) })
        {
            if (storedModel.StartsWith(prefix, StringComparison.Ordinal))
            {
                var model = storedModel[prefix.Length..];
                return model.Length is > 0 and <= MaxModelLength && !model.Any(c => c == '@' || char.IsWhiteSpace(c) || char.IsControl(c))
                    ? new EmbedderSpec(kind, model)
                    : null;
            }
        }

        return null;
    }

    /// <summary>Creates the generator of an openai or ollama spec (no request is sent until it embeds).</summary>
    /// <param name="field">The option the spec came from, for errors.</param>
    /// <param name="environment">Reads environment variables; the process environment when null.</param>
    /// <returns>The generator; its errors are reported as <see cref="CliException"/>s that name the server.</returns>
    /// <exception cref="CliException">The API key is missing or a variable holds a bad URL (exit code 2).</exception>
    public IEmbeddingGenerator<string, Embedding<float>> CreateRemote(string field = "embedder", Func<string, string?>? environment = null)
    {
        var client = CreateClient(field, environment, out var endpoint);
        var inner = client.GetEmbeddingClient(Model).AsIEmbeddingGenerator();
        return new RemoteEmbeddingGenerator(inner, this, endpoint ?? DefaultOpenAIEndpoint);
    }

    /// <summary>
    /// Creates the OpenAI client of an openai or ollama spec: the key from <c>OPENAI_API_KEY</c> (a placeholder for servers
    /// that take none), the base URL from the spec or the environment. No request is sent.
    /// </summary>
    /// <param name="field">The option the spec came from, for errors.</param>
    /// <param name="environment">Reads environment variables; the process environment when null.</param>
    /// <param name="endpoint">The base URL requests go to; null means OpenAI's own API (<see cref="DefaultOpenAIEndpoint"/>).</param>
    /// <returns>The client.</returns>
    /// <exception cref="CliException">The API key is missing or a variable holds a bad URL (exit code 2).</exception>
    public OpenAIClient CreateClient(string field, Func<string, string?>? environment, out Uri? endpoint)
    {
        if (!IsRemote)
        {
            throw new InvalidOperationException($"'{this}' is not a remote model.");
        }

        environment ??= Environment.GetEnvironmentVariable;
        endpoint = ResolveEndpoint(field, environment);
        var key = PlaceholderKey;
        if (Kind == EmbedderKind.OpenAI)
        {
            if (environment(OpenAIKeyVariable) is { Length: > 0 } fromEnvironment)
            {
                key = fromEnvironment.Trim();
            }
            else if (endpoint is null)
            {
                throw CliException.Invalid(
                    field,
                    $"'{this}' needs an API key: {OpenAIKeyVariable} is not set",
                    $"set {OpenAIKeyVariable}, or give the base URL of an OpenAI-compatible server ({Kind.ToString().ToLowerInvariant()}:{Model}@http://host:port/v1, or ${OpenAIBaseUrlVariable})");
            }
        }

        var options = new OpenAIClientOptions();
        if (endpoint is not null)
        {
            options.Endpoint = endpoint;
        }

        return new OpenAIClient(new ApiKeyCredential(key), options);
    }

    /// <summary>Gets the base URL requests go to: the spec's, else the environment's; null means OpenAI's own API.</summary>
    /// <param name="field">The option the spec came from, for errors.</param>
    /// <param name="environment">Reads environment variables.</param>
    /// <returns>The base URL.</returns>
    public Uri? ResolveEndpoint(string field, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Endpoint is not null)
        {
            return Endpoint;
        }

        return Kind switch
        {
            EmbedderKind.OpenAI => environment(OpenAIBaseUrlVariable) is { Length: > 0 } baseUrl ? HttpUrl(baseUrl.Trim(), field, $"${OpenAIBaseUrlVariable}") : null,
            EmbedderKind.Ollama => OllamaEndpoint(environment(OllamaHostVariable) is { Length: > 0 } host ? host.Trim() : DefaultOllamaHost, field, $"${OllamaHostVariable}"),
            _ => null,
        };
    }

    /// <summary>Formats the spec as given to the command line: the stored name, plus the URL when the spec has one.</summary>
    /// <returns>The spec.</returns>
    public override string ToString() =>
        Kind switch
        {
            EmbedderKind.None => "none",
            EmbedderKind.MiniLm => "minilm",
            _ => Endpoint is null ? StoredModel! : $"{StoredModel}@{Endpoint}",
        };

    private static string Example(string kind, string field) =>
        kind == "ollama"
            ? $"name the model, for example --{field} ollama:nomic-embed-text (or ollama:nomic-embed-text@http://host:11434)"
            : $"name the model, for example --{field} openai:text-embedding-3-small (or openai:<model>@http://host:port/v1 for an OpenAI-compatible server)";

    private static Uri HttpUrl(string text, string field, string what)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host)
            || text.Any(char.IsWhiteSpace))
        {
            throw CliException.Invalid(field, $"{what} ('{text}') is not an http:// or https:// URL", "give the server's base URL, for example http://localhost:8000/v1");
        }

        // The client appends "/embeddings" to the base path; a trailing slash would double it.
        var builder = new UriBuilder(uri) { Path = uri.AbsolutePath.TrimEnd('/') };
        return builder.Uri;
    }

    private static Uri OllamaEndpoint(string text, string field, string what)
    {
        // Like Ollama's own client: OLLAMA_HOST may be "host", "host:port" or a URL; without a scheme it is http on 11434.
        var url = text.Contains("://", StringComparison.Ordinal) ? text : $"http://{text}";
        if (!text.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(url, UriKind.Absolute, out var bare) && bare.IsDefaultPort && !text.Contains(':', StringComparison.Ordinal))
        {
            url = $"http://{text}:11434";
        }

        try
        {
            var uri = HttpUrl(url, field, what);
            var path = uri.AbsolutePath.TrimEnd('/');
            return path.EndsWith("/v1", StringComparison.Ordinal) ? uri : new UriBuilder(uri) { Path = path + "/v1" }.Uri;
        }
        catch (CliException)
        {
            throw CliException.Invalid(field, $"{what} ('{text}') is not a host or URL", "give Ollama's host, for example localhost:11434 or http://gpu-box:11434");
        }
    }
}
