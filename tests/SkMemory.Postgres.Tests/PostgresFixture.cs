using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Npgsql;
using SkMemory.Postgres.Tests;
using SkMemory.Storage.Postgres;
using SkMemory.Tests;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace SkMemory.Postgres.Tests;

/// <summary>
/// A PostgreSQL server with pgvector for the whole test assembly: the server named by <c>SKMEMORY_TEST_POSTGRES</c>,
/// or a throwaway PostgreSQL 15 cluster started in a temp directory and removed at the end.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string InstallHint = "Run scripts/install-deps.sh (it installs PostgreSQL 15 and pgvector), or set SKMEMORY_TEST_POSTGRES to the connection string of a server that has pgvector.";
    private const string TestDatabase = "skmemory_test";
    private readonly ConcurrentBag<string> _schemas = [];
    private string? _directory;
    private string? _binDirectory;
    private bool _external;
    private bool _dedicated;
    private string? _serverOptions;
    private int _schemaCounter;

    /// <summary>
    /// Creates a fixture that always starts its own cluster (never the shared <c>SKMEMORY_TEST_POSTGRES</c> server) with
    /// synchronous commits, so a test may crash and restart it (<see cref="CrashServerAsync"/>, <see cref="StartServerAsync"/>)
    /// and still expect every acknowledged commit to survive. Call <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/>.
    /// </summary>
    public static PostgresFixture CreateDedicated() => new() { _dedicated = true };

    /// <summary>Gets the connection string of the test database (pgvector installed in it).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets a new schema name, unique to this run.</summary>
    public string NewSchema()
    {
        var schema = $"t_{Environment.ProcessId}_{Interlocked.Increment(ref _schemaCounter)}_{Guid.NewGuid():N}"[..40];
        _schemas.Add(schema);
        return schema;
    }

    /// <summary>
    /// Opens a store on a schema (a fresh one when not given): the options start with this server's connection string and
    /// the schema, then <paramref name="configure"/> sets the rest (an <see cref="Action{T}"/> of the shared
    /// <see cref="MemoryStoreOptions"/> converts to this parameter).
    /// </summary>
    public Task<PostgresMemoryStore> OpenStoreAsync(Action<PostgresMemoryStoreOptions>? configure = null, string? schema = null, CancellationToken cancellationToken = default)
    {
        var options = new PostgresMemoryStoreOptions { ConnectionString = ConnectionString, Schema = schema ?? NewSchema() };
        configure?.Invoke(options);
        return PostgresMemoryStore.OpenAsync(options, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Opens a store on a schema with a copy of <paramref name="options"/>: every public settable property of
    /// <see cref="MemoryStoreOptions"/> is copied by reflection, so a property added later is not dropped. Kept for callers
    /// that build a <see cref="MemoryStoreOptions"/> (the evals tests); prefer the overload that takes a configure action.
    /// </summary>
    public Task<PostgresMemoryStore> OpenStoreAsync(MemoryStoreOptions options, string? schema = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OpenStoreAsync(
            target =>
            {
                foreach (var property in typeof(MemoryStoreOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p is { CanRead: true, CanWrite: true }))
                {
                    property.SetValue(target, property.GetValue(options));
                }
            },
            schema,
            cancellationToken);
    }

    /// <summary>Runs a statement on the test database and returns the number of rows it affected.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query on the test database and returns its rows.</summary>
    public async Task<List<object?[]>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (!_dedicated && Environment.GetEnvironmentVariable("SKMEMORY_TEST_POSTGRES") is { Length: > 0 } external)
        {
            _external = true;
            ConnectionString = external;
            await EnsureVectorAsync(ConnectionString);
            return;
        }

        _binDirectory = Environment.GetEnvironmentVariable("SKMEMORY_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres", "pg_config" })
        {
            if (!File.Exists(Path.Combine(_binDirectory, tool)))
            {
                throw new InvalidOperationException($"PostgreSQL server binary '{tool}' was not found in {_binDirectory}. {InstallHint}");
            }
        }

        var shareDirectory = (await RunAsync(Path.Combine(_binDirectory, "pg_config"), ["--sharedir"], asPostgres: false)).Trim();
        if (!File.Exists(Path.Combine(shareDirectory, "extension", "vector.control")))
        {
            throw new InvalidOperationException($"pgvector is not installed for the PostgreSQL server in {_binDirectory} (no {shareDirectory}/extension/vector.control). {InstallHint}");
        }

        _directory = Directory.CreateTempSubdirectory("skmemory-pg-").FullName;
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _directory], asPostgres: false);
        }

        var data = Path.Combine(_directory, "data");
        await RunAsync(Path.Combine(_binDirectory, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres: true);
        var port = TestPorts.Free();
        // fsync=off survives a crash of the server's processes (the OS keeps the writes), not of the machine; a dedicated
        // cluster keeps synchronous commits so that an acknowledged commit is in the WAL before the client hears of it.
        _serverOptions =
            $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off {(_dedicated ? string.Empty : "-c synchronous_commit=off ")}-c full_page_writes=off -c max_connections=300";
        await StartServerAsync();

        var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {TestDatabase}", connection);
            await command.ExecuteNonQueryAsync();
        }

        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database={TestDatabase}";
        await EnsureVectorAsync(ConnectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_external)
        {
            foreach (var schema in _schemas.Distinct())
            {
                try
                {
                    await ExecuteAsync($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                }
                catch (NpgsqlException)
                {
                    // Best effort on a shared server.
                }
            }

            return;
        }

        if (_directory is null)
        {
            return;
        }

        try
        {
            if (Directory.Exists(Path.Combine(_directory, "data")))
            {
                await RunAsync(Path.Combine(_binDirectory!, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Starts the cluster's server (again) on its data directory and port; returns once it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        var directory = _directory ?? throw new InvalidOperationException("This fixture uses an external server; it has no cluster to start.");

        // -w: pg_ctl returns once the server's PID file says it accepts connections, and fails after -t seconds otherwise.
        await RunAsync(Path.Combine(_binDirectory!, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", _serverOptions!, "start"], asPostgres: true);
    }

    /// <summary>
    /// Crashes the server: an immediate shutdown makes every server process quit at once, without a checkpoint, and the next
    /// start runs crash recovery from the WAL. Only for a <see cref="CreateDedicated"/> fixture.
    /// </summary>
    public async Task CrashServerAsync()
    {
        if (!_dedicated || _directory is null)
        {
            throw new InvalidOperationException("Only a dedicated cluster (PostgresFixture.CreateDedicated) may be crashed: other tests share this server.");
        }

        await RunAsync(Path.Combine(_binDirectory!, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);
    }

    private static bool IsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    private static async Task EnsureVectorAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection);
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException($"Could not create the pgvector extension ({ex.MessageText}). {InstallHint}", ex);
        }
    }

    private static async Task<string> RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && IsRoot)
        {
            // initdb refuses to run as root: run the server tools as the postgres OS user.
            start.FileName = "su";
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(string.Join(' ', new[] { program }.Concat(arguments).Select(ShellQuote)));
        }
        else
        {
            start.FileName = program;
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var error = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' failed with exit code {process.ExitCode}: {error}{output}");
        }

        return output;
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
