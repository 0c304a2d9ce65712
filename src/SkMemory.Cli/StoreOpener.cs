using Microsoft.Extensions.AI;
using SkMemory.Cli.Commands;
using SkMemory.Embeddings;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using SkMemory.Storage.Postgres;
using SkMemory.Storage.Sqlite;

namespace SkMemory.Cli;

/// <summary>The kinds of store the CLI opens.</summary>
internal enum StoreKind
{
    Sqlite,
    Postgres,
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
/// <param name="Kind">SQLite or Postgres.</param>
/// <param name="Location">The full file path, or the key-value connection string.</param>
/// <param name="Schema">The Postgres schema.</param>
/// <param name="IsDefault">Whether this is the default embedded file.</param>
internal sealed record StoreTarget(StoreKind Kind, string Location, string Schema, bool IsDefault)
{
    /// <summary>Gets where the store is, safe to print (no password).</summary>
    public string Display
    {
        get
        {
            if (Kind == StoreKind.Sqlite)
            {
                return Location;
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

    private static readonly string[] UriSchemes = ["postgres://", "postgresql://"];
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

    /// <summary>Resolves the --store and --schema values.</summary>
    /// <param name="store">The --store value, or null for the default embedded file.</param>
    /// <param name="schema">The --schema value, or null.</param>
    /// <returns>The target.</returns>
    /// <exception cref="CliException">The values are invalid (exit code 2).</exception>
    public static StoreTarget Resolve(string? store, string? schema)
    {
        var spec = store?.Trim();
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
}
