using Microsoft.Extensions.AI;

namespace SkMemory.Cli;

/// <summary>
/// A chat model as the command line names it, for the LLM extractor: <c>openai:&lt;model&gt;[@&lt;base-url&gt;]</c> or
/// <c>ollama:&lt;model&gt;[@&lt;host&gt;]</c>. The same grammar, key and server variables as an embedder spec
/// (<see cref="EmbedderSpec"/>): <c>OPENAI_API_KEY</c>, <c>OPENAI_BASE_URL</c>, <c>OLLAMA_HOST</c>.
/// </summary>
/// <param name="Server">The server and model, parsed as a remote embedder spec is.</param>
internal sealed record ChatModelSpec(EmbedderSpec Server)
{
    /// <summary>The variable that names the chat model when --chat-model is not given.</summary>
    public const string Variable = "SKMEMORY_CHAT_MODEL";

    /// <summary>What --chat-model accepts, for help and hints.</summary>
    public const string Forms = "openai:<model>[@<base-url>] or ollama:<model>[@<host>]";

    private const string Example = "for example --chat-model openai:gpt-4o-mini, openai:<model>@http://host:port/v1 for an OpenAI-compatible server, or ollama:llama3.2";

    /// <summary>Gets the model name.</summary>
    public string Model => Server.Model!;

    /// <summary>Parses a spec.</summary>
    /// <param name="text">The spec, as given.</param>
    /// <param name="field">The option it came from, for the error.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="CliException">The spec is invalid (exit code 2).</exception>
    public static ChatModelSpec Parse(string? text, string field = "chat_model")
    {
        var spec = text?.Trim() ?? string.Empty;
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? spec : spec[..colon]).ToLowerInvariant();
        if (spec.Length == 0)
        {
            throw CliException.Invalid(field, "no chat model given", $"use {Forms}, {Example}");
        }

        if (kind is not ("openai" or "ollama"))
        {
            throw CliException.Invalid(field, $"unknown chat model '{spec}'", $"use {Forms}, {Example}");
        }

        try
        {
            return new ChatModelSpec(EmbedderSpec.Parse(spec, field));
        }
        catch (CliException ex)
        {
            // The grammar is the embedder's; the examples are a chat model's.
            throw new CliException(ex.ExitCode, ex.Message, $"name the model, {Example}", ex.Field, ex);
        }
    }

    /// <summary>The chat model named by --chat-model, else by $SKMEMORY_CHAT_MODEL, else null.</summary>
    /// <param name="choice">The --chat-model value, if given.</param>
    /// <returns>The spec, or null.</returns>
    /// <exception cref="CliException">The spec is invalid (exit code 2).</exception>
    public static ChatModelSpec? Named(string? choice)
    {
        if (choice is not null)
        {
            return Parse(choice);
        }

        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } fromEnvironment)
        {
            return null;
        }

        try
        {
            return Parse(fromEnvironment);
        }
        catch (CliException ex)
        {
            throw new CliException(ex.ExitCode, $"{ex.Message} (from ${Variable})", $"{ex.Hint}; or unset {Variable}", ex.Field, ex);
        }
    }

    /// <summary>Creates the chat client (no request is sent until it is used).</summary>
    /// <param name="field">The option the spec came from, for errors.</param>
    /// <param name="environment">Reads environment variables; the process environment when null.</param>
    /// <returns>The client; its failures name the server and the model. The caller disposes it.</returns>
    /// <exception cref="CliException">The API key is missing or a variable holds a bad URL (exit code 2).</exception>
    public IChatClient Create(string field = "chat_model", Func<string, string?>? environment = null)
    {
        var client = Server.CreateClient(field, environment, out var endpoint);
        return new RemoteChatClient(client.GetChatClient(Model).AsIChatClient(), this, endpoint ?? EmbedderSpec.DefaultOpenAIEndpoint);
    }

    /// <summary>Formats the spec as given to the command line.</summary>
    /// <returns>The spec.</returns>
    public override string ToString() => Server.ToString();
}
