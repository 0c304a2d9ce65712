using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SkMemory.Inspector;
using SkMemory.Mcp;

namespace SkMemory.Cli.Commands;

/// <summary>
/// <c>skmem serve [--host 127.0.0.1] [--port 8765] [--max-request-bytes N] [--review-policy file.json]</c>: the MCP server over streamable HTTP on the
/// store (the embedded default unless --store says otherwise). Clients authenticate with API keys (<c>skmem keys</c>); each
/// key's caller goes through the access policy and the redaction policy. Runs until Ctrl+C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 8765;

    public static Command Create(CommandRunner runner)
    {
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on. The default, 127.0.0.1, accepts connections from this machine only; 0.0.0.0 or a public "
                + "address exposes the server (and every key's memories) to the network: put TLS in front of it.",
            DefaultValueFactory = _ => "127.0.0.1",
            HelpName = "address",
        };
        var port = new Option<int>("--port", "-p")
        {
            Description = "The port (0 picks a free one).",
            DefaultValueFactory = _ => DefaultPort,
            HelpName = "port",
        };
        var maxRequestBytes = new Option<int>("--max-request-bytes")
        {
            Description = "The largest request body accepted, in bytes (1 KiB to 64 MiB); larger ones are refused unread.",
            DefaultValueFactory = _ => new SkMemoryMcpOptions().MaxRequestBytes,
            HelpName = "bytes",
        };
        var reviewPolicy = new Option<string?>("--review-policy")
        {
            Description = $"A review policy file (default: ${ReviewPolicyFile.Variable}): JSON with hold_types, hold_below_confidence, hold_actor_kinds "
                + "and hold_scope_kinds. Matching writes, through MCP and the Inspector, wait in the Inspector's review queue until an admin approves or rejects them.",
            HelpName = "file.json",
        };
        var command = new Command(
            "serve",
            "Run the MCP server over streamable HTTP (endpoint /mcp) on the store, until Ctrl+C. Clients send an API key "
            + "('Authorization: Bearer skm_...', see 'skmem keys create'); each key reads and writes as its own caller, under the access and redaction policies.")
        {
            host, port, maxRequestBytes, reviewPolicy,
        };
        runner.SetCanonicalStoreAction(
            command,
            StoreAccess.Write,
            (context, parseResult) =>
            {
                if (context.ExplicitCaller() is not null)
                {
                    throw CliException.Invalid("as", "skmem serve runs every request as the caller of its API key, not as one identity", "drop --as, --role, --team and --acting-for; give each client a key with 'skmem keys create --actor kind:id ...'");
                }

                var address = parseResult.GetValue(host)!.Trim();
                var portNumber = parseResult.GetValue(port);
                if (portNumber is < 0 or > 65535)
                {
                    throw CliException.Invalid("port", $"{portNumber} is not a port", "pass --port between 1 and 65535, or 0 for a free one");
                }

                var mcp = McpOptions(parseResult.GetValue(maxRequestBytes));
                var reviewPath = parseResult.GetValue(reviewPolicy)
                    ?? (Environment.GetEnvironmentVariable(ReviewPolicyFile.Variable) is { Length: > 0 } variable ? variable : null);
                var review = reviewPath is null ? null : ReviewPolicyFile.Load(reviewPath);
                return async (store, redaction) =>
                {
                    var liveKeys = (await KeysCommand.Keys(store).ListAsync(context.Tenant, context.CancellationToken).ConfigureAwait(false))
                        .Count(k => k.RevokedAt is null);
                    using var loggerFactory = StderrLoggerProvider.CreateFactory(context.Error);
                    if (review is { IsEmpty: false } && store.GetService(typeof(IMemoryReviewStore)) is null)
                    {
                        throw CliException.Invalid("review_policy", "this store keeps no review items, so it cannot hold writes for review", "use a SQLite or Postgres store (run 'skmem migrate' to bring it to the current schema)");
                    }

                    MemoryStoreBuilder Layers(MemoryStoreBuilder b) => b.UseRedaction(redaction).UseReview(review);
                    SkMemoryHttpServer server;
                    try
                    {
                        server = await SkMemoryHttpServer.StartAsync(
                            new SkMemoryHttpServerOptions
                            {
                                Store = store,
                                Host = address,
                                Port = portNumber,
                                Mcp = mcp,
                                ConfigureStore = Layers,
                                LoggerFactory = loggerFactory,
                                ConfigureApp = app => app.MapSkMemoryInspector(new InspectorOptions { Store = store, ConfigureStore = Layers }),
                            },
                            context.CancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsAddressInUse(ex))
                    {
                        throw new CliException(ExitCodes.Usage, $"port {portNumber} on {address} is already in use", "pass another --port (or --port 0 for a free one), or stop what is listening there", "port", ex);
                    }

                    await using (server.ConfigureAwait(false))
                    {
                        WriteBanner(context, server, liveKeys, review, reviewPath);
                        await WaitForStopAsync(context.CancellationToken).ConfigureAwait(false);
                        context.Error.WriteLine("stopping: finishing the requests in flight...");
                        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        await server.StopAsync(grace.Token).ConfigureAwait(false);
                    }

                    context.Error.WriteLine("stopped");
                    return ExitCodes.Ok;
                };
            },
            EmbedderUse.Load);
        return command;
    }

    /// <summary>The MCP options with --max-request-bytes, checked.</summary>
    /// <param name="maxRequestBytes">The --max-request-bytes value.</param>
    /// <returns>The options.</returns>
    /// <exception cref="CliException">The value is out of range (exit code 2).</exception>
    internal static SkMemoryMcpOptions McpOptions(int maxRequestBytes)
    {
        var options = new SkMemoryMcpOptions { MaxRequestBytes = maxRequestBytes };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw CliException.Invalid("max_request_bytes", ex.Message.Split(" (Parameter '", 2)[0], "pass --max-request-bytes between 1024 and 67108864");
        }

        return options;
    }

    private static void WriteBanner(CliContext context, SkMemoryHttpServer server, int liveKeys, MemoryReviewPolicy? review, string? reviewPath)
    {
        var baseAddress = server.BaseAddress.AbsoluteUri.TrimEnd('/');
        var e = context.Error;
        e.WriteLine($"skmem serve: SkMemory MCP server (streamable HTTP)");
        e.WriteLine($"  MCP endpoint  {server.McpEndpoint.AbsoluteUri}");
        e.WriteLine($"  health        {baseAddress}/healthz");
        e.WriteLine($"  inspector     {baseAddress}/inspector/ (sign in with an API key)");
        e.WriteLine($"  store         {context.Target?.Display}");
        e.WriteLine($"  tenant        {context.Tenant}: {HumanFormat.Count(liveKeys, "live API key")}");
        e.WriteLine(review is { IsEmpty: false }
            ? $"  review        {reviewPath}: holds {Describe(review)}; admins approve or reject at {baseAddress}/inspector/review"
            : "  review        none: every allowed write is stored at once (--review-policy <file.json> holds writes for an admin)");
        if (liveKeys == 0)
        {
            e.WriteLine("  no client can connect yet: create a key with");
            e.WriteLine($"    skmem keys create --actor agent:<name>{(context.StoreSpec is { } s && context.Target is { IsDefault: false } ? $" --store {s}" : string.Empty)}{(context.ExplicitTenant is { } t ? $" --tenant {t}" : string.Empty)}");
        }
        else
        {
            e.WriteLine("  more keys: skmem keys create --actor agent:<name>; list them: skmem keys list");
        }

        e.WriteLine($"  client config (VS Code .vscode/mcp.json): {{\"servers\":{{\"skmemory\":{{\"type\":\"http\",\"url\":\"{server.McpEndpoint.AbsoluteUri}\",\"headers\":{{\"Authorization\":\"Bearer <key>\"}}}}}}}}");
        e.WriteLine("  docs/mcp-connect.md shows Claude Desktop, VS Code and Semantic Kernel. Ctrl+C stops the server.");
        e.Flush();
    }

    /// <summary>The review policy in words, for the banner.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>What it holds.</returns>
    internal static string Describe(MemoryReviewPolicy policy)
    {
        var parts = new List<string>();
        if (policy.HoldTypes.Count > 0)
        {
            parts.Add("types " + string.Join(", ", policy.HoldTypes));
        }

        if (policy.HoldBelowConfidence is { } threshold)
        {
            parts.Add("confidence below " + threshold.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (policy.HoldActorKinds.Count > 0)
        {
            parts.Add("writes by " + string.Join(", ", policy.HoldActorKinds.Select(k => MemoryJson.EnumName(k))) + " actors");
        }

        if (policy.HoldScopeKinds.Count > 0)
        {
            parts.Add(string.Join(", ", policy.HoldScopeKinds.Select(k => MemoryJson.EnumName(k))) + " memories");
        }

        return string.Join("; ", parts);
    }

    /// <summary>Waits for Ctrl+C (the token) or SIGTERM.</summary>
    private static async Task WaitForStopAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop.
        }
    }

    private static bool IsAddressInUse(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || current.GetType().Name == "AddressInUseException"
                || (current is IOException && current.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
