using Microsoft.Extensions.AI;
using SkMemory.Cli.Commands;
using SkMemory.Embeddings;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using SkMemory.Mem0;
using SkMemory.Storage;
using SkMemory.Storage.Postgres;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Cli;

/// <summary>The kinds of store the CLI opens.</summary>
internal enum StoreKind
{
    Sqlite,
    Postgres,

    /// <summary>Mem0 (Platform or self-hosted) over REST, every change mirrored to a SQLite or Postgres store (<see cref="StoreTarget.Mirror"/>).</summary>
    Mem0,
}

/// <summary>Whether a command only reads the store or may create it.</summary>
internal enum StoreAccess
{
    /// <summary>The store must already exist (an explicit SQLite path that does not exist is an error, not a new file).</summary>
    Read,

    /// <summary>The store is created when missing.</summary>
    Write,
}

/// <summary>A resolved --store value.</summary>
/// <param name="Kind">SQLite, Postgres or Mem0.</param>
/// <param name="Location">The full file path, the key-value connection string, or Mem0's base address (no credentials).</param>
/// <param name="Schema">The Postgres schema.</param>
/// <param name="IsDefault">Whether this is the default embedded file.</param>
internal sealed record StoreTarget(StoreKind Kind, string Location, string Schema, bool IsDefault)
{
    /// <summary>Gets which Mem0 API a Mem0 store speaks.</summary>
    public Mem0ApiFlavor Flavor { get; init; }

    /// <summary>Gets the canonical store a Mem0 store mirrors every change to (SQLite or Postgres); null for other kinds.</summary>
    public StoreTarget? Mirror { get; init; }

    /// <summary>Gets where the store is, safe to print (no password, no API key).</summary>
    public string Display
    {
        get
        {
            if (Kind == StoreKind.Sqlite)
            {
                return Location;
            }

            if (Kind == StoreKind.Mem0)
            {
                return $"mem0 {Location} ({StoreOpener.FlavorName(Flavor)}, mirror {Mirror?.Display})";
            }

            try
            {
                var cs = new NpgsqlConnectionStringBuilder(Location);
                return $"postgres {cs.Host}:{cs.Port}/{cs.Database} (schema {Schema})";
            }
            catch (ArgumentException)
            {
                return "postgres";
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Display;
}

/// <summary>Parses --store and --schema and opens the store they name.</summary>
internal static class StoreOpener
{
    public const string EmbeddedKeyword = "embedded";

    /// <summary>The environment variable that chooses the embedder when --embedder is not given.</summary>
    public const string EmbedderVariable = "SKMEMORY_EMBEDDER";

    /// <summary>The prefix of a Mem0 --store value: <c>mem0:&lt;base-url&gt;</c>.</summary>
    public const string Mem0Prefix = "mem0:";

    /// <summary>The environment variable holding the Mem0 API key (required by the Platform, optional for a self-hosted server).</summary>
    public const string Mem0ApiKeyVariable = "MEM0_API_KEY";

    /// <summary>The environment variable that chooses the Mem0 API flavor when --mem0-flavor is not given.</summary>
    public const string Mem0FlavorVariable = "SKMEMORY_MEM0_FLAVOR";

    /// <summary>The environment variable naming a Mem0 store's mirror when --mirror is not given.</summary>
    public const string Mem0MirrorVariable = "SKMEMORY_MEM0_MIRROR";

    /// <summary>The environment variable that sets how many times a failed Mem0 call is retried (0..20, default 4).</summary>
    public const string Mem0MaxRetriesVariable = "SKMEMORY_MEM0_MAX_RETRIES";

    /// <summary>The default mirror file name, in <see cref="SkMemoryPaths.Home"/> beside the default embedded database.</summary>
    public const string DefaultMirrorFileName = "mem0-mirror.db";

    private static readonly string[] UriSchemes = ["postgres://", "postgresql://"];

    // The running command's --mirror and --mem0-flavor, for commands that resolve --store themselves with only --store and
    // --schema (to find the signing key); it flows with the command's async context, like AttestationKeys.Current.
    private static readonly AsyncLocal<Mem0Choices?> AmbientMem0 = new();
    private static readonly SemaphoreSlim EmbedderGate = new(1, 1);
    private static MiniLmEmbeddingGenerator? _miniLm;

    // libpq URI parameters and the Npgsql keywords they correspond to.
    private static readonly Dictionary<string, string> UriParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["passfile"] = "Passfile",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
    };

    /// <summary>Resolves the --store and --schema values (and, for a Mem0 store, --mirror and --mem0-flavor).</summary>
    /// <param name="store">The --store value, or null for the default embedded file.</param>
    /// <param name="schema">The --schema value, or null; for a Mem0 store it applies to a Postgres mirror.</param>
    /// <param name="mirror">The --mirror value of a Mem0 store, or null for $SKMEMORY_MEM0_MIRROR or the default file.</param>
    /// <param name="flavor">The --mem0-flavor value, or null for $SKMEMORY_MEM0_FLAVOR or platform.</param>
    /// <param name="mirrorField">The option the mirror came from, for errors.</param>
    /// <returns>The target.</returns>
    /// <exception cref="CliException">The values are invalid (exit code 2).</exception>
    public static StoreTarget Resolve(string? store, string? schema, string? mirror = null, string? flavor = null, string mirrorField = "mirror")
    {
        var spec = store?.Trim();
        if (spec is not null && spec.StartsWith(Mem0Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ResolveMem0(spec, schema, mirror ?? AmbientMem0.Value?.Mirror, flavor ?? AmbientMem0.Value?.Flavor, mirrorField);
        }

        if (IsPostgres(spec))
        {
            var connectionString = UriSchemes.Any(s => spec!.StartsWith(s, StringComparison.OrdinalIgnoreCase))
                ? PostgresUriToConnectionString(spec!)
                : spec!;
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                throw CliException.Invalid("store", $"not a valid PostgreSQL connection string: {ex.Message}", "use 'Host=localhost;Port=5432;Database=skmemory;Username=...;Password=...' or postgres://user:password@host:5432/database");
            }

            return new StoreTarget(StoreKind.Postgres, connectionString, schema ?? PostgresMemoryStoreOptions.DefaultSchema, IsDefault: false);
        }

        if (schema is not null)
        {
            throw CliException.Invalid("schema", "applies only to a PostgreSQL store", "remove --schema, or pass a PostgreSQL connection string with --store");
        }

        if (string.IsNullOrEmpty(spec) || string.Equals(spec, EmbeddedKeyword, StringComparison.OrdinalIgnoreCase))
        {
            return new StoreTarget(StoreKind.Sqlite, Path.GetFullPath(SkMemoryPaths.DefaultDatabasePath), string.Empty, IsDefault: true);
        }

        var path = spec;
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), path.Length > 2 ? path[2..] : string.Empty);
        }

        try
        {
            return new StoreTarget(StoreKind.Sqlite, Path.GetFullPath(path), string.Empty, IsDefault: false);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw CliException.Invalid("store", $"'{spec}' is not a usable file path: {ex.Message}", "pass 'embedded', a SQLite file path, or a PostgreSQL connection string");
        }
    }

    /// <summary>Makes --mirror and --mem0-flavor the running command's defaults for <see cref="Resolve"/>.</summary>
    /// <param name="mirror">The --mirror value, or null.</param>
    /// <param name="flavor">The --mem0-flavor value, or null.</param>
    public static void UseMem0Choices(string? mirror, string? flavor) => AmbientMem0.Value = new Mem0Choices(mirror, flavor);

    /// <summary>Names a flavor as --mem0-flavor spells it.</summary>
    /// <param name="flavor">The flavor.</param>
    /// <returns><c>platform</c> or <c>oss</c>.</returns>
    public static string FlavorName(Mem0ApiFlavor flavor) => flavor == Mem0ApiFlavor.OpenSource ? "oss" : "platform";

    private static StoreTarget ResolveMem0(string spec, string? schema, string? mirror, string? flavorChoice, string mirrorField)
    {
        var address = spec[Mem0Prefix.Length..].Trim();
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw CliException.Invalid("store", $"'{address}' is not an absolute http or https address", "use --store mem0:<base-url>, for example mem0:http://localhost:8888 for a self-hosted server");
        }

        if (uri.UserInfo.Length > 0)
        {
            // A key in the URL would be printed and logged; it belongs in the environment.
            throw CliException.Invalid("store", "the Mem0 address must not carry credentials", $"remove the user:password@ part and set {Mem0ApiKeyVariable}");
        }

        var flavor = ParseFlavor(flavorChoice);

        var mirrorSpec = mirror?.Trim();
        var fromEnvironment = false;
        if (string.IsNullOrEmpty(mirrorSpec) && Environment.GetEnvironmentVariable(Mem0MirrorVariable) is { Length: > 0 } environmentMirror)
        {
            mirrorSpec = environmentMirror.Trim();
            fromEnvironment = true;
        }

        if (mirrorSpec is not null && mirrorSpec.StartsWith(Mem0Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw CliException.Invalid(mirrorField, "a Mem0 store's mirror must be a SQLite file or a PostgreSQL database, not another Mem0", $"pass 'embedded', a .db path or a PostgreSQL connection string with --{mirrorField.Replace('_', '-')}");
        }

        StoreTarget mirrorTarget;
        if (string.IsNullOrEmpty(mirrorSpec) || string.Equals(mirrorSpec, EmbeddedKeyword, StringComparison.OrdinalIgnoreCase))
        {
            if (schema is not null)
            {
                throw CliException.Invalid("schema", "applies only to a PostgreSQL mirror, and this Mem0 store mirrors to a SQLite file", "remove --schema, or pass a PostgreSQL connection string with --mirror");
            }

            mirrorTarget = new StoreTarget(StoreKind.Sqlite, Path.GetFullPath(Path.Combine(SkMemoryPaths.Home, DefaultMirrorFileName)), string.Empty, IsDefault: true);
        }
        else
        {
            try
            {
                mirrorTarget = Resolve(mirrorSpec, schema);
            }
            catch (CliException ex) when (ex.Field == "store")
            {
                var source = fromEnvironment ? $" (from ${Mem0MirrorVariable})" : string.Empty;
                throw new CliException(ex.ExitCode, $"{mirrorField}: {ex.Message["store: ".Length..]}{source}", ex.Hint.Replace("--store", $"--{mirrorField.Replace('_', '-')}", StringComparison.Ordinal), mirrorField, ex);
            }

            if (schema is not null && mirrorTarget.Kind != StoreKind.Postgres)
            {
                throw CliException.Invalid("schema", "applies only to a PostgreSQL mirror", "remove --schema, or pass a PostgreSQL connection string with --mirror");
            }
        }

        var location = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri;
        return new StoreTarget(StoreKind.Mem0, location, mirrorTarget.Schema, IsDefault: false) { Flavor = flavor, Mirror = mirrorTarget };
    }

    private static Mem0ApiFlavor ParseFlavor(string? choice)
    {
        var fromEnvironment = choice is null;
        var value = choice ?? Environment.GetEnvironmentVariable(Mem0FlavorVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return Mem0ApiFlavor.Platform;
        }

        return value.Trim().ToUpperInvariant() switch
        {
            "PLATFORM" => Mem0ApiFlavor.Platform,
            "OSS" or "OPENSOURCE" or "OPEN-SOURCE" or "SELF-HOSTED" => Mem0ApiFlavor.OpenSource,
            _ => throw CliException.Invalid(
                "mem0_flavor",
                $"'{value}' is not a Mem0 API flavor{(fromEnvironment ? $" (from ${Mem0FlavorVariable})" : string.Empty)}",
                "use --mem0-flavor platform (the hosted Platform) or --mem0-flavor oss (a self-hosted Mem0 server)"),
        };
    }

    private static async Task<IMemoryStore> OpenMem0Async(StoreTarget target, IEmbeddingGenerator<string, Embedding<float>>? embedder, string? embeddingModel, CancellationToken cancellationToken)
    {
        // Checked here rather than in Resolve: commands that resolve --store only to find a key file need no API key.
        var apiKey = Environment.GetEnvironmentVariable(Mem0ApiKeyVariable) is { Length: > 0 } key && !string.IsNullOrWhiteSpace(key) ? key.Trim() : null;
        if (target.Flavor == Mem0ApiFlavor.Platform && apiKey is null)
        {
            throw new CliException(
                ExitCodes.Usage,
                $"the Mem0 Platform needs an API key, and {Mem0ApiKeyVariable} is not set",
                $"set {Mem0ApiKeyVariable} to the Platform API key, or pass --mem0-flavor oss for a self-hosted server",
                "mem0_api_key");
        }

        // The mirror is opened like any SQLite or Postgres store, created when missing: a Mem0 store's memories live in
        // Mem0, and 'skmem reconcile' fills a new mirror from it.
        var mirror = await OpenAsync(target.Mirror!, StoreAccess.Write, cancellationToken, embedder, embeddingModel).ConfigureAwait(false);
        try
        {
            if (mirror is not EventSourcedMemoryStore canonical)
            {
                throw new CliException(ExitCodes.Unexpected, $"the mirror {target.Mirror!.Display} is not a canonical store", "use a SQLite file or a PostgreSQL database as the mirror");
            }

            var options = new Mem0ClientOptions
            {
                BaseAddress = new Uri(target.Location, UriKind.Absolute),
                ApiKey = apiKey,
                Flavor = target.Flavor,
            };
            if (Environment.GetEnvironmentVariable(Mem0MaxRetriesVariable) is { Length: > 0 } retries)
            {
                options.MaxRetries = int.TryParse(retries, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 0 and <= 20
                    ? count
                    : throw CliException.Invalid("mem0_max_retries", $"${Mem0MaxRetriesVariable} is '{retries}', not a number between 0 and 20", $"set {Mem0MaxRetriesVariable} to 0..20, or unset it for the default (4)");
            }

            Mem0Client client;
            try
            {
                client = new Mem0Client(options);
            }
            catch (ArgumentException ex)
            {
                throw CliException.Invalid("store", ex.Message, $"check --store mem0:<base-url>, --mem0-flavor and {Mem0ApiKeyVariable}");
            }

            try
            {
                return new Mem0MemoryStore(client, canonical);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        catch
        {
            mirror.Dispose();
            throw;
        }
    }

    /// <summary>Converts a postgres:// or postgresql:// URI to an Npgsql key-value connection string.</summary>
    /// <param name="uri">The URI, as libpq accepts it.</param>
    /// <returns>The connection string.</returns>
    /// <exception cref="CliException">The URI is malformed (exit code 2).</exception>
    public static string PostgresUriToConnectionString(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            throw UriError(uri, "it does not start with postgres:// or postgresql://");
        }

        var rest = uri[(schemeEnd + 3)..];
        string? query = null;
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Unescape(rest[(slash + 1)..]) : null;
        var builder = new NpgsqlConnectionStringBuilder();

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Unescape(colon >= 0 ? userInfo[..colon] : userInfo);
            if (user.Length > 0)
            {
                builder.Username = user;
            }

            if (colon >= 0)
            {
                builder.Password = Unescape(userInfo[(colon + 1)..]);
            }
        }

        var hosts = authority.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h => SplitHostPort(h, uri)).ToList();
        if (hosts.Count == 1)
        {
            builder.Host = hosts[0].Host;
            if (hosts[0].Port is { } port)
            {
                builder.Port = port;
            }
        }
        else if (hosts.Count > 1)
        {
            builder.Host = string.Join(',', hosts.Select(h => h.Port is { } port ? $"{h.Host}:{port.ToString(CultureInfo.InvariantCulture)}" : h.Host));
        }

        if (!string.IsNullOrEmpty(database))
        {
            builder.Database = database;
        }

        if (query is { Length: > 0 })
        {
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw UriError(uri, $"the parameter '{pair}' has no value");
                }

                var name = Unescape(pair[..eq]);
                var value = Unescape(pair[(eq + 1)..]);
                var keyword = UriParameters.GetValueOrDefault(name, name);
                if (string.Equals(keyword, "SSL Mode", StringComparison.Ordinal))
                {
                    // libpq spells it verify-full / verify-ca; Npgsql's enum is VerifyFull / VerifyCA.
                    value = value.Replace("-", string.Empty, StringComparison.Ordinal);
                }

                try
                {
                    builder[keyword] = value;
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
                {
                    throw UriError(uri, $"the parameter '{name}={value}' is not supported: {ex.Message}");
                }
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Makes an open store embed with the model it records as serving (the last one <c>skmem reindex</c> switched to), or
    /// with the offline MiniLM model when none is recorded, for commands that name no embedder. One registry row is read;
    /// nothing is counted.
    /// </summary>
    /// <param name="store">The open store.</param>
    /// <param name="log">Where model fetch progress goes.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The generator when the caller must dispose it (a remote client), else null.</returns>
    /// <exception cref="CliException">The store serves a model skmem cannot load (exit code 2), or it cannot be loaded.</exception>
    public static async Task<IDisposable?> ServeRecordedModelAsync(IMemoryStore store, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.GetService(typeof(IMemoryEmbeddingIndex)) is not IMemoryEmbeddingIndex index)
        {
            return null;
        }

        var recorded = await index.GetRecordedServingModelAsync(cancellationToken).ConfigureAwait(false);
        var spec = recorded is null ? EmbedderSpec.MiniLm : EmbedderSpec.FromStoredModel(recorded)
            ?? throw CliException.Invalid(
                "embedder",
                $"the store serves embeddings of '{recorded}', a model skmem cannot load by that name",
                $"pass --embedder ({EmbedderSpec.Forms}), or switch the store to another model with 'skmem reindex --model <spec>'");
        IEmbeddingGenerator<string, Embedding<float>>? generator;
        try
        {
            generator = await EmbedderAsync(spec, log, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex) when (recorded is not null)
        {
            // The user named no embedder: say where this one came from, and how to choose another.
            throw new CliException(ex.ExitCode, $"{ex.Message} (the store serves {spec.StoredModel}; see 'skmem model list')", $"{ex.Hint}; or pass --embedder to use another model", ex.Field, ex);
        }

        if (generator is null)
        {
            return null;
        }

        index.ServeWith(generator, spec.StoredModel);
        return spec.IsRemote ? generator : null;
    }

    /// <summary>Loads the generator of a spec: the offline MiniLM model (once per process, fetched once into the cache with progress on <paramref name="log"/>), a server's client, or none.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="log">Where fetch progress goes.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <param name="field">The option the spec came from, for errors.</param>
    /// <returns>The generator, or null for full-text search only.</returns>
    /// <exception cref="CliException">A key or URL is missing or invalid (exit code 2), or the model cannot be loaded (exit code 7).</exception>
    public static async Task<IEmbeddingGenerator<string, Embedding<float>>?> EmbedderAsync(EmbedderSpec spec, TextWriter log, CancellationToken cancellationToken, string field = "embedder")
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(log);
        switch (spec.Kind)
        {
            case EmbedderKind.None:
                return null;
            case EmbedderKind.OpenAI or EmbedderKind.Ollama:
                return spec.CreateRemote(field);
        }

        await EmbedderGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                return _miniLm ??= await MiniLmEmbeddingGenerator.CreateAsync(new MiniLmEmbeddingGeneratorOptions { Log = log.WriteLine }, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException(ExitCodes.StoreUnavailable, ex.Message, "run 'skmem model fetch', or use --embedder none for full-text search only");
            }
        }
        finally
        {
            EmbedderGate.Release();
        }
    }

    /// <summary>The embedder named by --embedder, else by $SKMEMORY_EMBEDDER, else null (the store's serving model decides).</summary>
    /// <param name="choice">The --embedder value, if given.</param>
    /// <returns>The spec, or null.</returns>
    /// <exception cref="CliException">The spec is invalid (exit code 2).</exception>
    public static EmbedderSpec? NamedEmbedder(string? choice)
    {
        if (choice is not null)
        {
            return EmbedderSpec.Parse(choice);
        }

        if (Environment.GetEnvironmentVariable(EmbedderVariable) is not { Length: > 0 } fromEnvironment)
        {
            return null;
        }

        try
        {
            return EmbedderSpec.Parse(fromEnvironment);
        }
        catch (CliException ex)
        {
            throw new CliException(ex.ExitCode, $"{ex.Message} (from ${EmbedderVariable})", $"{ex.Hint}; or unset {EmbedderVariable}", ex.Field, ex);
        }
    }

    /// <summary>Opens the store a target names.</summary>
    /// <param name="target">The target.</param>
    /// <param name="access">Whether the command needs an existing store.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="CliException">The store cannot be opened (exit code 7) or an option is invalid (exit code 2).</exception>
    /// <param name="embedder">The embedding generator for the store, or null for full-text search only.</param>
    /// <param name="embeddingModel">The name the embeddings are stored under (the spec's <see cref="EmbedderSpec.StoredModel"/>); the generator's model id when null.</param>
    public static async Task<IMemoryStore> OpenAsync(StoreTarget target, StoreAccess access, CancellationToken cancellationToken, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? embeddingModel = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Kind == StoreKind.Mem0)
        {
            return await OpenMem0Async(target, embedder, embeddingModel, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (target.Kind == StoreKind.Postgres)
            {
                return await PostgresMemoryStore.OpenAsync(
                    new PostgresMemoryStoreOptions { ConnectionString = target.Location, Schema = target.Schema, EmbeddingGenerator = embedder, EmbeddingModel = embeddingModel, AttestationSigner = AttestationKeys.Current },
                    loggerFactory: null,
                    cancellationToken).ConfigureAwait(false);
            }

            if (access == StoreAccess.Read && !target.IsDefault && !File.Exists(target.Location))
            {
                throw new CliException(
                    ExitCodes.StoreUnavailable,
                    $"there is no SkMemory database at {target.Location}",
                    "check the path given with --store; 'skmem remember' or 'skmem import' creates a new store");
            }

            return await SqliteMemoryStore.OpenAsync(new SqliteMemoryStoreOptions { Path = target.Location, EmbeddingGenerator = embedder, EmbeddingModel = embeddingModel, AttestationSigner = AttestationKeys.Current }, loggerFactory: null, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex) when (ex.ParamName is "Schema")
        {
            throw CliException.Invalid("schema", ex.Message, "use lower-case letters, digits and underscores, for example --schema skmemory");
        }
        catch (ArgumentException ex) when (ex.ParamName is "ConnectionString")
        {
            throw CliException.Invalid("store", ex.Message, "check the connection string given with --store");
        }
        catch (Exception ex) when (IsUnavailable(ex) || ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw Unavailable(target, ex);
        }
    }

    /// <summary>Whether an exception means the store cannot be reached or written, as opposed to a bug.</summary>
    /// <param name="ex">The exception.</param>
    /// <returns>Whether it is a store-availability problem.</returns>
    public static bool IsUnavailable(Exception ex) =>
        ex switch
        {
            PostgresException pg => IsConnectionState(pg.SqlState),
            NpgsqlException => true,
            SqliteException sqlite => sqlite.SqliteErrorCode is 3 /* PERM */ or 5 /* BUSY */ or 6 /* LOCKED */ or 8 /* READONLY */ or 10 /* IOERR */ or 13 /* FULL */ or 14 /* CANTOPEN */ or 26 /* NOTADB */,
            SocketException or TimeoutException => true,
            _ => ex.InnerException is { } inner && IsUnavailable(inner),
        };

    /// <summary>Builds the store-unavailable error for a target, with a hint that fits the backend.</summary>
    /// <param name="target">The target.</param>
    /// <param name="ex">The cause.</param>
    /// <returns>The error (exit code 7).</returns>
    public static CliException Unavailable(StoreTarget target, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(ex);
        if (target is { Kind: StoreKind.Mem0, Mirror: { } mirror })
        {
            // Mem0's own failures are Mem0ApiExceptions, reported before this; a database error comes from the mirror.
            var cause = Unavailable(mirror, ex);
            return new CliException(cause.ExitCode, $"{cause.Message} (the mirror of {target.Location})", cause.Hint.Replace("--store", "--mirror", StringComparison.Ordinal), null, ex);
        }

        if (target.Kind == StoreKind.Postgres)
        {
            var hint = ex switch
            {
                PostgresException { SqlState: var state } when state.StartsWith("28", StringComparison.Ordinal) =>
                    "check the user name and password in the --store connection string",
                PostgresException { SqlState: "3D000" } =>
                    "create the database first (createdb <name>), or fix Database= in the --store connection string",
                InvalidOperationException when ex.Message.Contains("pgvector", StringComparison.OrdinalIgnoreCase) =>
                    "install the pgvector extension on the server (the store runs CREATE EXTENSION vector)",
                _ => "check the --store connection string (host, port, database, user, password) and that the PostgreSQL server is running and reachable",
            };
            return new CliException(ExitCodes.StoreUnavailable, $"cannot use the store at {target.Display}: {Describe(ex)}", hint, null, ex);
        }

        var folder = Path.GetDirectoryName(target.Location) ?? target.Location;
        var sqliteHint = ex is SqliteException { SqliteErrorCode: 26 }
            ? $"{target.Location} is not a SkMemory database; pass another file with --store"
            : ex is SqliteException { SqliteErrorCode: 5 or 6 }
                ? "another process holds the database's write lock for too long; retry when it is done"
                : target.IsDefault
                    ? $"make sure {folder} is writable, or set SKMEMORY_HOME to a writable folder (or pass --store <file.db>)"
                    : $"make sure {folder} exists and is writable, or pass another file with --store (SKMEMORY_HOME sets the default location)";
        return new CliException(ExitCodes.StoreUnavailable, $"cannot use the store at {target.Location}: {Describe(ex)}", sqliteHint, null, ex);
    }

    private static bool IsPostgres(string? spec)
    {
        if (string.IsNullOrEmpty(spec))
        {
            return false;
        }

        if (UriSchemes.Any(s => spec.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (spec.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("Server=", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Any key=value;... list that names a host, whatever the order of its keys.
        var pairs = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return pairs.Length > 1
            && pairs.All(p => p.Contains('=', StringComparison.Ordinal))
            && pairs.Any(p => p.StartsWith("Host", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Server", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsConnectionState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) // connection exception
        || state.StartsWith("28", StringComparison.Ordinal) // invalid authorization
        || state.StartsWith("53", StringComparison.Ordinal) // insufficient resources (too many connections, disk full)
        || state.StartsWith("57P", StringComparison.Ordinal) // server shutting down / cannot connect now
        || state is "3D000" /* database does not exist */ or "42501" /* insufficient privilege */ or "25006" /* read-only transaction */;

    private static string Describe(Exception ex)
    {
        var message = ex is PostgresException pg ? $"{pg.MessageText} (SQLSTATE {pg.SqlState})" : ex.Message.TrimEnd('.');
        if (ex is NpgsqlException { InnerException: { } inner } && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += $": {inner.Message.TrimEnd('.')}";
        }

        return message;
    }

    private static (string Host, int? Port) SplitHostPort(string value, string uri)
    {
        string host;
        string? port = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw UriError(uri, $"the host '{value}' has no closing ']'");
            }

            host = value[1..close];
            if (close + 1 < value.Length && value[close + 1] == ':')
            {
                port = value[(close + 2)..];
            }
        }
        else
        {
            var colon = value.LastIndexOf(':');
            host = colon >= 0 ? value[..colon] : value;
            port = colon >= 0 ? value[(colon + 1)..] : null;
        }

        host = Unescape(host);
        if (string.IsNullOrEmpty(port))
        {
            return (host, null);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
            ? (host, number)
            : throw UriError(uri, $"the port '{port}' is not a number between 1 and 65535");
    }

    private static string Unescape(string value) => Uri.UnescapeDataString(value);

    private static CliException UriError(string uri, string problem)
    {
        // Never echo the password back.
        var shown = uri;
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var at = uri.LastIndexOf('@');
        if (schemeEnd >= 0 && at > schemeEnd && uri.IndexOf(':', schemeEnd + 3) is var colon && colon > 0 && colon < at)
        {
            shown = uri[..(colon + 1)] + "***" + uri[at..];
        }

        return CliException.Invalid("store", $"the PostgreSQL URI {shown} is malformed: {problem}", "use postgres://user:password@host:5432/database?sslmode=require");
    }

    private sealed record Mem0Choices(string? Mirror, string? Flavor);
}
