using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace SkMemory.Samples;

/// <summary>
/// Where the sample keeps its memories and which model it talks to: the scripted offline model by default, or a real
/// model named by <c>SKMEMORY_CHAT_MODEL</c> (<c>openai:&lt;model&gt;[@&lt;base-url&gt;]</c> or <c>ollama:&lt;model&gt;[@&lt;host&gt;]</c>).
/// </summary>
internal sealed record SampleSettings
{
    public const string ChatModelVariable = "SKMEMORY_CHAT_MODEL";
    public const string DatabaseVariable = "SKMEMORY_SAMPLE_DB";
    public const string OpenAIKeyVariable = "OPENAI_API_KEY";
    public const string OpenAIBaseUrlVariable = "OPENAI_BASE_URL";
    public const string OllamaHostVariable = "OLLAMA_HOST";

    /// <summary>Gets the SQLite file; null for a new temporary one, deleted at the end.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>Gets the real model, or null for the scripted offline one.</summary>
    public Func<IChatClient>? RealModel { get; init; }

    /// <summary>Gets a description of the model, printed at the start.</summary>
    public string ModelDescription { get; init; } = "scripted offline model";

    /// <summary>The offline settings: scripted model, temporary database.</summary>
    public static SampleSettings Offline(string? databasePath = null) => new() { DatabasePath = databasePath };

    /// <summary>
    /// Reads the settings for a sample's entry point: a bad <c>SKMEMORY_CHAT_MODEL</c> is a usage error, written to
    /// <paramref name="output"/>, and gives null (the sample exits with 2).
    /// </summary>
    public static async Task<SampleSettings?> FromEnvironmentOrUsageAsync(Func<string, string?> environment, TextWriter output)
    {
        try
        {
            return FromEnvironment(environment);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return null;
        }
    }

    public static SampleSettings FromEnvironment(Func<string, string?> environment)
    {
        var database = environment(DatabaseVariable) is { Length: > 0 } path ? path : null;
        if (environment(ChatModelVariable) is not { Length: > 0 } spec)
        {
            return Offline(database);
        }

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? string.Empty : spec[..colon].Trim().ToLowerInvariant();
        var rest = colon < 0 ? string.Empty : spec[(colon + 1)..].Trim();
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var model = at < 0 ? rest : rest[..at];
        var server = at < 0 ? null : rest[(at + 1)..];
        if (kind is not ("openai" or "ollama") || model.Length == 0)
        {
            throw new ArgumentException($"{ChatModelVariable}='{spec}' is not a model: use openai:<model>[@<base-url>] or ollama:<model>[@<host>], for example ollama:llama3.2; or unset it to run offline.");
        }

        Uri? endpoint;
        string key;
        if (kind == "ollama")
        {
            // Ollama serves the OpenAI-compatible API under /v1; it needs no key.
            var host = server ?? environment(OllamaHostVariable) ?? "localhost:11434";
            host = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
            endpoint = new Uri(host.TrimEnd('/') + "/v1");
            key = "ollama";
        }
        else
        {
            var baseUrl = server ?? environment(OpenAIBaseUrlVariable);
            endpoint = baseUrl is { Length: > 0 } ? new Uri(baseUrl) : null;
            key = environment(OpenAIKeyVariable) is { Length: > 0 } k ? k
                : endpoint is not null ? "none"
                : throw new ArgumentException($"{ChatModelVariable}='{spec}' needs {OpenAIKeyVariable}; set it, or give an OpenAI-compatible server with openai:{model}@http://host:port/v1 or {OpenAIBaseUrlVariable}.");
        }

        return new SampleSettings
        {
            DatabasePath = database,
            ModelDescription = $"{kind}:{model}" + (endpoint is null ? string.Empty : $" at {endpoint}"),
            RealModel = () =>
            {
                var options = new OpenAIClientOptions();
                if (endpoint is not null)
                {
                    options.Endpoint = endpoint;
                }

                return new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(model).AsIChatClient();
            },
        };
    }
}
