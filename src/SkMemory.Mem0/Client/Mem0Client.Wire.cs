using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Refit;
using SkMemory.Mem0.Wire;

namespace SkMemory.Mem0;

/// <content>Boundary checks, filter building, event polling and the mapping from Mem0's loose wire shapes to the neutral models.</content>
public sealed partial class Mem0Client
{
    private static readonly string[] EntityKeys = ["user_id", "agent_id", "app_id", "run_id"];

    private static string Describe(Mem0ApiFlavor flavor) => flavor == Mem0ApiFlavor.Platform ? "Mem0 Platform" : "self-hosted Mem0 server";

    private void CheckEntities(Mem0Entities? entities, string operation)
    {
        if (entities is null || entities.IsEmpty)
        {
            throw new MemoryException(MemoryErrorCode.Validation, $"A Mem0 {operation} needs at least one entity id (user, agent, run{(Flavor == Mem0ApiFlavor.Platform ? " or app" : string.Empty)}).");
        }

        Check(entities.UserId, nameof(entities.UserId));
        Check(entities.AgentId, nameof(entities.AgentId));
        Check(entities.AppId, nameof(entities.AppId));
        Check(entities.RunId, nameof(entities.RunId));
        if (Flavor == Mem0ApiFlavor.OpenSource && entities.AppId is not null)
        {
            throw new MemoryException(
                MemoryErrorCode.NotSupported,
                $"The self-hosted Mem0 server has no app_id; scope the {operation} by user, agent or run id instead (AppId is '{entities.AppId}').");
        }

        static void Check(string? id, string name)
        {
            // Mem0 trims ids and refuses blank ones or ones with whitespace; say so before the call instead of after it.
            if (id is not null && (string.IsNullOrWhiteSpace(id) || id.Any(char.IsWhiteSpace)))
            {
                throw new MemoryException(MemoryErrorCode.Validation, $"{name} must be non-blank and contain no whitespace; it is '{id}'.");
            }
        }
    }

    /// <summary>
    /// Builds the search and list filters. Every id given must match: the Platform gets <c>{"AND":[{"user_id":..},{"agent_id":..},{"metadata":{"k":"v"}}]}</c>;
    /// the server gets plain keys, which it ANDs (<c>{"user_id":..,"agent_id":..,"k":"v"}</c>), metadata keys included.
    /// </summary>
    private JsonObject BuildFilters(Mem0Entities entities, IReadOnlyDictionary<string, string>? metadata)
    {
        string?[] ids = [entities.UserId, entities.AgentId, entities.AppId, entities.RunId];
        if (Flavor == Mem0ApiFlavor.OpenSource)
        {
            var flat = new JsonObject();
            for (var i = 0; i < EntityKeys.Length; i++)
            {
                if (ids[i] is { } id)
                {
                    flat[EntityKeys[i]] = id;
                }
            }

            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                if (Array.IndexOf(EntityKeys, key) >= 0)
                {
                    throw new MemoryException(MemoryErrorCode.Validation, $"The metadata filter key '{key}' is an entity id on the self-hosted server; scope by Entities instead.");
                }

                flat[key] = value;
            }

            return flat;
        }

        var conditions = new JsonArray();
        for (var i = 0; i < EntityKeys.Length; i++)
        {
            if (ids[i] is { } id)
            {
                conditions.Add(new JsonObject { [EntityKeys[i]] = id });
            }
        }

        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            conditions.Add(new JsonObject { ["metadata"] = new JsonObject { [key] = value } });
        }

        return new JsonObject { ["AND"] = conditions };
    }

    private async Task<IReadOnlyList<Mem0AddResult>> PollEventAsync(string eventId, CancellationToken cancellationToken)
    {
        Mem0ClientLog.PollingEvent(_logger, eventId, _eventPollInterval.TotalMilliseconds, _eventPollTimeout.TotalMilliseconds);
        var started = _timeProvider.GetTimestamp();
        var status = "PENDING";
        while (_timeProvider.GetElapsedTime(started) < _eventPollTimeout)
        {
            await Task.Delay(_eventPollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            var evt = await Send(_platform!.GetEventAsync(eventId, cancellationToken), cancellationToken).ConfigureAwait(false);
            status = evt?.Status ?? status;
            if (IsStatus(status, "SUCCEEDED"))
            {
                return MapAddResults(evt?.Results);
            }

            if (IsStatus(status, "FAILED"))
            {
                throw EventFailed(eventId, evt?.Error switch
                {
                    JsonValue v when v.TryGetValue(out string? s) => s,
                    { } n => n.ToJsonString(),
                    null => null,
                });
            }
        }

        throw new MemoryException(
            MemoryErrorCode.Unavailable,
            $"Mem0 has not finished the add after {_eventPollTimeout.TotalSeconds:0.###} s (event {eventId} is still {status}). The memories may still appear; check the event later or raise EventPollTimeout.");
    }

    // Refit wraps whatever the handler chain throws in ApiRequestException; callers get the Mem0ApiException (or their own cancellation) instead.
    private static async Task<T> Send<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            ExceptionDispatchInfo.Throw(translated);
            throw;
        }
    }

    private static async Task Send(Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken) is { } translated)
        {
            ExceptionDispatchInfo.Throw(translated);
            throw;
        }
    }

    private static Exception? Translate(Exception exception, CancellationToken cancellationToken)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MemoryException || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return ReferenceEquals(e, exception) ? null : e;
            }
        }

        // A 2xx whose body does not fit the wire types: the address or the flavor is probably wrong.
        if (exception is ApiException api)
        {
            var mem0Message = api.Content is { Length: > 0 } content ? Mem0ErrorFactory.ExtractMessage(content, api.Message) : api.Message;
            return new Mem0ApiException(
                MemoryErrorCode.Unavailable,
                api.StatusCode,
                mem0Message,
                $"Mem0 answered {api.HttpMethod} {api.Uri?.AbsolutePath} with a body the client cannot read ({mem0Message}). Check the base address and that Flavor matches the server.",
                null,
                exception);
        }

        return null;
    }

    private static Mem0ApiException EventFailed(string eventId, string? error)
    {
        var mem0Message = string.IsNullOrWhiteSpace(error) ? "the event failed without an error message" : error;
        return new Mem0ApiException(
            MemoryErrorCode.Unavailable,
            null,
            mem0Message,
            $"Mem0 failed to process the add (event {eventId}: {mem0Message}). Retry the add; writes already in the canonical mirror are pushed by `skmem reconcile`.");
    }

    private static bool IsStatus(string? status, string expected) => string.Equals(status, expected, StringComparison.OrdinalIgnoreCase);

    // Add results are loosely typed: {id, memory, event} or {id, event, data:{memory}}; queued markers without an id are skipped.
    private static List<Mem0AddResult> MapAddResults(JsonArray? results)
    {
        var mapped = new List<Mem0AddResult>();
        foreach (var item in results ?? [])
        {
            if (item is not JsonObject o || Text(o["id"]) is not { } id)
            {
                continue;
            }

            var memory = Text(o["memory"]) ?? (o["data"] is JsonObject data ? Text(data["memory"]) : null) ?? string.Empty;
            mapped.Add(new Mem0AddResult(id, memory, Text(o["event"]) ?? "ADD"));
        }

        return mapped;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue(out string? s) ? s : v.ToJsonString()
        : null;

    private static List<Mem0Memory> MapMemories(List<Mem0WireMemory>? memories)
    {
        var mapped = new List<Mem0Memory>(memories?.Count ?? 0);
        foreach (var memory in memories ?? [])
        {
            if (memory is not null && MapMemory(memory) is { } m)
            {
                mapped.Add(m);
            }
        }

        return mapped;
    }

    private static Mem0Memory? MapMemory(Mem0WireMemory memory)
    {
        if (memory.Id is null)
        {
            return null;
        }

        return new Mem0Memory
        {
            Id = memory.Id,
            Memory = memory.Memory ?? string.Empty,
            Hash = memory.Hash,
            Entities = new Mem0Entities(memory.UserId, memory.AgentId, memory.AppId, memory.RunId ?? memory.SessionId),
            Metadata = memory.Metadata as JsonObject,
            Categories = memory.Categories is { } c ? [.. c.Where(x => x is not null)] : [],
            Score = memory.Score,
            CreatedAt = ParseTimestamp(memory.CreatedAt),
            UpdatedAt = ParseTimestamp(memory.UpdatedAt),
            ExpirationDate = ParseDate(memory.ExpirationDate),
        };
    }

    private static string? FormatDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // Accepts "...Z", "+00:00" and "-07:00"; a value with no offset is taken as UTC (v3 stores UTC).
    private static DateTimeOffset? ParseTimestamp(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    private static DateOnly? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        // Some reads return a full timestamp instead of a date.
        return ParseTimestamp(text) is { } t ? DateOnly.FromDateTime(t.UtcDateTime) : null;
    }

    private static void AddEntities(JsonNode? node, List<Mem0Entity> entities)
    {
        var items = node switch
        {
            JsonArray a => a,
            JsonObject o when o["results"] is JsonArray r => r,
            _ => null,
        };
        foreach (var item in items ?? [])
        {
            if (item is not JsonObject o)
            {
                continue;
            }

            // The Platform names the entity in "name" (its "id" is a row number); the server's "id" is the name.
            var name = Text(o["name"]) ?? Text(o["id"]);
            if (name is null)
            {
                continue;
            }

            int? total = o["total_memories"] is JsonValue t && t.TryGetValue(out int n) ? n : null;
            entities.Add(new Mem0Entity(Text(o["type"]) ?? "user", name, total));
        }
    }
}
