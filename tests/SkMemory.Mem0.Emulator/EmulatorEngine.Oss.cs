using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>The self-hosted OSS server routes (reference §1): no trailing slash, X-API-Key/Bearer auth, FastAPI error bodies.</summary>
internal sealed partial class EmulatorEngine
{
    private static readonly string[] OssEntityKeys = ["user_id", "agent_id", "run_id"];

    private EmulatorResponse HandleOss(EmulatorHttpRequest request)
    {
        var path = request.Path;
        if (path.Length > 1 && path.EndsWith('/'))
        {
            return EmulatorResponse.NotFound();
        }

        var segments = path.Split('/', StringSplitOptions.None)[1..];
        string[] allowed = segments switch
        {
            ["memories"] => ["POST", "GET", "DELETE"],
            ["memories", _] => ["GET", "PUT", "DELETE"],
            ["memories", _, "history"] => ["GET"],
            ["search"] or ["reset"] => ["POST"],
            ["entities"] => ["GET"],
            ["entities", _, _] => ["DELETE"],
            _ => [],
        };

        if (allowed.Length == 0)
        {
            return EmulatorResponse.NotFound();
        }

        if (Array.IndexOf(allowed, request.Method) < 0)
        {
            return EmulatorResponse.Detail(405, "Method Not Allowed") with { Headers = [new("Allow", string.Join(", ", allowed))] };
        }

        if (OssAuthenticate(request, out var isAdmin) is { } denied)
        {
            return denied;
        }

        return (segments, request.Method) switch
        {
            (["memories"], "POST") => OssAdd(request),
            (["memories"], "GET") => OssList(request, isAdmin),
            (["memories"], _) => OssDeleteAll(request, isAdmin),
            (["memories", var id], "GET") => OssGet(id),
            (["memories", var id], "PUT") => OssUpdate(id, request),
            (["memories", var id], _) => OssDelete(id),
            (["memories", var id, _], _) => OssHistory(id),
            (["search"], _) => OssSearch(request),
            (["reset"], _) => OssReset(isAdmin),
            (["entities"], _) => OssEntities(),
            _ => OssDeleteEntity(segments[1], segments[2], isAdmin),
        };
    }

    private EmulatorResponse? OssAuthenticate(EmulatorHttpRequest request, out bool isAdmin)
    {
        isAdmin = false;
        if (request.Authorization is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // The emulator issues no JWTs, so every bearer token is invalid.
            return EmulatorResponse.Detail(401, "Invalid or expired token.");
        }

        if (request.ApiKey is { } key)
        {
            if (string.Equals(key, options.ServerAdminKey, StringComparison.Ordinal))
            {
                isAdmin = true;
                return null;
            }

            return string.Equals(key, options.ServerUserKey, StringComparison.Ordinal) ? null : EmulatorResponse.Detail(401, "Invalid API key.");
        }

        if (options.ServerAuthDisabled)
        {
            isAdmin = true;
            return null;
        }

        return EmulatorResponse.Detail(401, "Authentication required. Provide a Bearer token or X-API-Key header.") with { Headers = [new("WWW-Authenticate", "Bearer")] };
    }

    private static EmulatorResponse AdminRequired() => EmulatorResponse.Detail(403, "Admin role required.");

    private EmulatorResponse OssAdd(EmulatorHttpRequest request)
    {
        if (OssBody(request, out var body) is { } invalid)
        {
            return invalid;
        }

        var errors = new JsonArray();
        if (body["messages"] is null)
        {
            errors.Add(PydanticError("missing", ["body", "messages"], "Field required", body));
        }
        else if (body["messages"] is not JsonArray messages)
        {
            errors.Add(PydanticError("list_type", ["body", "messages"], "Input should be a valid list", body["messages"]));
        }
        else
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i] is not JsonObject m)
                {
                    errors.Add(PydanticError("model_attributes_type", ["body", "messages", i], "Input should be a valid dictionary or object to extract fields from", messages[i]));
                    continue;
                }

                CheckString(m, "role", ["body", "messages", i], required: true, errors);
                CheckString(m, "content", ["body", "messages", i], required: true, errors);
            }
        }

        foreach (var key in (string[])["user_id", "agent_id", "run_id", "expiration_date", "memory_type", "prompt"])
        {
            CheckString(body, key, ["body"], required: false, errors);
        }

        CheckKind(body, "metadata", JsonValueKind.Object, "dict_type", "Input should be a valid dictionary", errors);
        CheckKind(body, "infer", JsonValueKind.True, "bool_type", "Input should be a valid boolean", errors);
        if (errors.Count > 0)
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = errors });
        }

        if (OssIds(body, out var ids) is { } badId)
        {
            return badId;
        }

        if (ids.Count == 0)
        {
            return EmulatorResponse.Detail(400, "At least one identifier (user_id, agent_id, run_id) is required.");
        }

        var memoryType = EmulatorJson.Str(body, "memory_type");
        if (memoryType is not null && (memoryType != "procedural_memory" || !ids.ContainsKey("agent_id")))
        {
            return EmulatorResponse.Detail(400, memoryType == "procedural_memory"
                ? "agent_id is required for procedural memory."
                : $"Invalid 'memory_type'. Please pass procedural_memory to create procedural memories.");
        }

        var expiration = EmulatorJson.Str(body, "expiration_date");
        if (expiration is not null && !EmulatorJson.TryDate(expiration, out _))
        {
            return EmulatorResponse.Detail(400, $"Invalid expiration_date format: {expiration}. Expected YYYY-MM-DD.");
        }

        var infer = EmulatorJson.Bool(body, "infer") ?? true;
        var metadata = body["metadata"] as JsonObject;
        var results = new JsonArray();
        var input = new JsonArray();
        foreach (var m in ((JsonArray)body["messages"]!).OfType<JsonObject>())
        {
            input.Add(new JsonObject { ["role"] = EmulatorJson.Str(m, "role"), ["content"] = EmulatorJson.Str(m, "content") });
        }

        foreach (var m in ((JsonArray)body["messages"]!).OfType<JsonObject>())
        {
            var role = EmulatorJson.Str(m, "role")!;
            var text = EmulatorJson.Str(m, "content")!.Trim();
            if (role == "system" || text.Length == 0)
            {
                continue;
            }

            if (infer && _memories.Values.Any(r => r.Hash == EmulatorJson.Md5(text) && ids.All(p => r.EntityId(p.Key) == p.Value)))
            {
                continue;
            }

            var record = AddRecord(text, ids.GetValueOrDefault("user_id"), ids.GetValueOrDefault("agent_id"), null, ids.GetValueOrDefault("run_id"), infer ? null : role, metadata, expiration, [], input.DeepClone().AsArray(), false, null);
            var item = new JsonObject { ["id"] = record.Id.ToString(), ["memory"] = text, ["event"] = "ADD" };
            if (!infer)
            {
                item["actor_id"] = null;
                item["role"] = role;
            }

            results.Add(item);
        }

        return EmulatorResponse.Ok(new JsonObject { ["results"] = results });
    }

    private EmulatorResponse OssList(EmulatorHttpRequest request, bool isAdmin)
    {
        var errors = new JsonArray();
        var topK = QueryInt(request, "top_k", 0, 1000, errors);
        var showExpired = QueryBool(request, "show_expired", errors);
        if (errors.Count > 0)
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = errors });
        }

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in OssEntityKeys)
        {
            if (request.Query.TryGetValue(key, out var value))
            {
                var trimmed = value.Trim();
                if (trimmed.Length == 0 || trimmed.Any(char.IsWhiteSpace))
                {
                    // The server wraps core errors raised while listing as a 502 (reference §1.5).
                    return EmulatorResponse.Json(502, new JsonObject { ["detail"] = $"Invalid {key}.", ["code"] = "unknown", ["request_id"] = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4)) });
                }

                ids[key] = trimmed;
            }
        }

        if (ids.Count == 0)
        {
            if (!isAdmin)
            {
                return AdminRequired();
            }

            var raw = new JsonArray();
            foreach (var r in Ordered().Take(1000))
            {
                raw.Add(new JsonObject
                {
                    ["id"] = r.Id.ToString(),
                    ["memory"] = r.Text,
                    ["user_id"] = r.UserId,
                    ["agent_id"] = r.AgentId,
                    ["run_id"] = r.RunId,
                    ["hash"] = r.Hash,
                    ["expiration_date"] = r.ExpirationDate,
                    ["metadata"] = r.Metadata?.DeepClone() ?? new JsonObject(),
                    ["created_at"] = EmulatorJson.Timestamp(r.CreatedAt),
                    ["updated_at"] = EmulatorJson.Timestamp(r.UpdatedAt),
                });
            }

            return EmulatorResponse.Ok(new JsonObject { ["results"] = raw });
        }

        var today = Today;
        var items = new JsonArray();
        foreach (var r in Ordered().Where(r => ids.All(p => r.EntityId(p.Key) == p.Value) && Visible(r, showExpired ?? false, today)).Take(topK ?? 20))
        {
            items.Add(OssItem(r, includeScore: false));
        }

        return EmulatorResponse.Ok(new JsonObject { ["results"] = items });
    }

    private EmulatorResponse OssGet(string id)
    {
        var record = FindOss(id);
        return EmulatorResponse.Ok(record is null ? null : OssItem(record, includeScore: true));
    }

    private EmulatorResponse OssSearch(EmulatorHttpRequest request)
    {
        if (OssBody(request, out var body) is { } invalid)
        {
            return invalid;
        }

        var errors = new JsonArray();
        CheckString(body, "query", ["body"], required: true, errors);
        foreach (var key in OssEntityKeys)
        {
            CheckString(body, key, ["body"], required: false, errors);
        }

        CheckKind(body, "filters", JsonValueKind.Object, "dict_type", "Input should be a valid dictionary", errors);
        CheckKind(body, "top_k", JsonValueKind.Number, "int_type", "Input should be a valid integer", errors);
        CheckKind(body, "threshold", JsonValueKind.Number, "float_type", "Input should be a valid number", errors);
        CheckKind(body, "explain", JsonValueKind.True, "bool_type", "Input should be a valid boolean", errors);
        CheckKind(body, "show_expired", JsonValueKind.True, "bool_type", "Input should be a valid boolean", errors);
        if (errors.Count > 0)
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = errors });
        }

        var query = EmulatorJson.Str(body, "query")!;
        if (string.IsNullOrWhiteSpace(query))
        {
            return EmulatorResponse.Detail(400, "Invalid query: cannot be empty or whitespace-only.");
        }

        var filters = body["filters"]?.DeepClone() as JsonObject ?? [];
        if (OssIds(body, out var ids) is { } badId)
        {
            return badId;
        }

        foreach (var (key, value) in ids)
        {
            filters[key] = value;
        }

        if (!OssEntityKeys.Any(filters.ContainsKey))
        {
            return EmulatorResponse.Detail(400, "filters must contain at least one of: user_id, agent_id, run_id. Example: filters={'user_id': 'u1'}");
        }

        var threshold = EmulatorJson.Number(body["threshold"]) ?? 0.1;
        if (threshold is < 0 or > 1)
        {
            return EmulatorResponse.Detail(400, Invariant($"Invalid threshold: {threshold}. Must be between 0 and 1 (inclusive)."));
        }

        var topK = EmulatorJson.Number(body["top_k"]) ?? 20;
        if (topK < 0)
        {
            return EmulatorResponse.Detail(400, Invariant($"Invalid top_k: {topK}. Must be a non-negative integer."));
        }

        Func<MemoryRecord, bool> match;
        try
        {
            match = OssFilter.Compile(filters);
        }
        catch (FilterException e)
        {
            return EmulatorResponse.Detail(400, e.Message);
        }

        var showExpired = EmulatorJson.Bool(body, "show_expired") ?? false;
        var explain = EmulatorJson.Bool(body, "explain") ?? false;
        var today = Today;
        var results = new JsonArray();
        foreach (var (record, score, keyword) in Rank(Ordered().Where(r => match(r) && Visible(r, showExpired, today)), query, threshold, (int)topK))
        {
            var item = OssItem(record, includeScore: false);
            item["score"] = score;
            if (explain)
            {
                item["score_details"] = new JsonObject
                {
                    ["semantic_score"] = score,
                    ["bm25_score"] = keyword,
                    ["entity_boost"] = 0.0,
                    ["raw_score"] = score,
                    ["max_possible_score"] = 1.0,
                    ["final_score"] = score,
                    ["threshold"] = threshold,
                };
            }

            results.Add(item);
        }

        return EmulatorResponse.Ok(new JsonObject { ["results"] = results });
    }

    private EmulatorResponse OssUpdate(string id, EmulatorHttpRequest request)
    {
        if (OssBody(request, out var body) is { } invalid)
        {
            return invalid;
        }

        var errors = new JsonArray();
        CheckString(body, "text", ["body"], required: false, errors);
        CheckString(body, "expiration_date", ["body"], required: false, errors);
        CheckKind(body, "metadata", JsonValueKind.Object, "dict_type", "Input should be a valid dictionary", errors);
        if (errors.Count > 0)
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = errors });
        }

        if (OssMemoryId(id) is { } badId)
        {
            return badId;
        }

        var text = EmulatorJson.Str(body, "text");
        var metadata = body["metadata"] as JsonObject;
        var setExpiration = body.ContainsKey("expiration_date");
        var expiration = EmulatorJson.Str(body, "expiration_date");
        if (text is null && metadata is null && !setExpiration)
        {
            return EmulatorResponse.Detail(400, "At least one of text, metadata or expiration_date must be provided to update a memory.");
        }

        if (expiration is not null && !EmulatorJson.TryDate(expiration, out _))
        {
            return EmulatorResponse.Detail(400, $"Invalid expiration_date format: {expiration}. Expected YYYY-MM-DD.");
        }

        var record = FindOss(id);
        if (record is null)
        {
            return EmulatorResponse.Detail(404, $"Memory with id {id.Trim()} not found. Please provide a valid 'memory_id'");
        }

        JsonObject? patch = null;
        if (metadata is not null)
        {
            patch = [];
            foreach (var (key, value) in metadata.Where(p => p.Key is not ("user_id" or "agent_id" or "run_id" or "actor_id")))
            {
                patch[key] = value?.DeepClone();
            }
        }

        UpdateRecord(record, text, patch, setExpiration, expiration);
        return EmulatorResponse.Message(200, "Memory updated successfully!");
    }

    private EmulatorResponse OssHistory(string id)
    {
        var rows = new JsonArray();
        if (Guid.TryParse(id.Trim(), out var guid))
        {
            foreach (var h in _history.Where(h => h.MemoryId == guid))
            {
                rows.Add(new JsonObject
                {
                    ["id"] = h.Id.ToString(),
                    ["memory_id"] = h.MemoryId.ToString(),
                    ["old_memory"] = h.OldMemory,
                    ["new_memory"] = h.NewMemory,
                    ["event"] = h.Event,
                    ["created_at"] = EmulatorJson.Timestamp(h.CreatedAt),
                    ["updated_at"] = h.UpdatedAt is { } u ? EmulatorJson.Timestamp(u) : null,
                    ["is_deleted"] = h.IsDeleted,
                    ["actor_id"] = null,
                    ["role"] = h.Role,
                });
            }
        }

        return EmulatorResponse.Ok(rows);
    }

    private EmulatorResponse OssDelete(string id)
    {
        if (OssMemoryId(id) is { } badId)
        {
            return badId;
        }

        var record = FindOss(id);
        if (record is null)
        {
            return EmulatorResponse.Detail(404, $"Memory with id {id.Trim()} not found");
        }

        DeleteRecord(record);
        return EmulatorResponse.Message(200, "Memory deleted successfully");
    }

    private EmulatorResponse OssDeleteAll(EmulatorHttpRequest request, bool isAdmin)
    {
        if (!isAdmin)
        {
            return AdminRequired();
        }

        var ids = OssEntityKeys.Where(k => request.Query.TryGetValue(k, out var v) && v.Length > 0).ToDictionary(k => k, k => request.Query[k].Trim(), StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return EmulatorResponse.Detail(400, "At least one identifier is required.");
        }

        foreach (var record in Ordered().Where(r => ids.All(p => r.EntityId(p.Key) == p.Value)).ToList())
        {
            DeleteRecord(record);
        }

        return EmulatorResponse.Message(200, "All relevant memories deleted");
    }

    private EmulatorResponse OssReset(bool isAdmin)
    {
        if (!isAdmin)
        {
            return AdminRequired();
        }

        _memories.Clear();
        _history.Clear();
        return EmulatorResponse.Message(200, "All memories reset");
    }

    private EmulatorResponse OssEntities()
    {
        var rows = new JsonArray();
        foreach (var type in (string[])["user", "agent", "run"])
        {
            foreach (var group in Ordered().Where(r => r.EntityId(type) is not null).GroupBy(r => r.EntityId(type)!, StringComparer.Ordinal))
            {
                rows.Add(new JsonObject
                {
                    ["id"] = group.Key,
                    ["type"] = type,
                    ["total_memories"] = group.Count(),
                    ["created_at"] = EmulatorJson.Timestamp(group.Min(r => r.CreatedAt)),
                    ["updated_at"] = EmulatorJson.Timestamp(group.Max(r => r.UpdatedAt)),
                });
            }
        }

        return EmulatorResponse.Ok(rows);
    }

    private EmulatorResponse OssDeleteEntity(string type, string id, bool isAdmin)
    {
        if (!isAdmin)
        {
            return AdminRequired();
        }

        if (type is not ("user" or "agent" or "run"))
        {
            return EmulatorResponse.Detail(400, $"Invalid entity type: {type}. Must be one of: user, agent, run.");
        }

        foreach (var record in Ordered().Where(r => r.EntityId(type) == id).ToList())
        {
            DeleteRecord(record);
        }

        return EmulatorResponse.Message(200, "Entity deleted");
    }

    private MemoryRecord? FindOss(string id) => Guid.TryParse(id.Trim(), out var guid) ? _memories.GetValueOrDefault(guid) : null;

    private static EmulatorResponse? OssMemoryId(string id)
    {
        var trimmed = id.Trim();
        if (trimmed.Length == 0)
        {
            return EmulatorResponse.Detail(400, "memory_id cannot be empty.");
        }

        return trimmed.Any(char.IsWhiteSpace) ? EmulatorResponse.Detail(400, "memory_id cannot contain whitespace.") : null;
    }

    private static JsonObject OssItem(MemoryRecord r, bool includeScore)
    {
        var item = new JsonObject
        {
            ["id"] = r.Id.ToString(),
            ["memory"] = r.Text,
            ["hash"] = r.Hash,
            ["metadata"] = r.Metadata is { Count: > 0 } m ? m.DeepClone() : null,
        };
        if (includeScore)
        {
            item["score"] = null;
        }

        item["created_at"] = EmulatorJson.Timestamp(r.CreatedAt);
        item["updated_at"] = EmulatorJson.Timestamp(r.UpdatedAt);
        AddIfSet(item, "user_id", r.UserId);
        AddIfSet(item, "agent_id", r.AgentId);
        AddIfSet(item, "run_id", r.RunId);
        if (r.Role is not null)
        {
            item["actor_id"] = null;
            item["role"] = r.Role;
        }

        AddIfSet(item, "expiration_date", r.ExpirationDate);
        return item;
    }

    private static void AddIfSet(JsonObject item, string key, string? value)
    {
        if (value is not null)
        {
            item[key] = value;
        }
    }

    /// <summary>Reads the trimmed entity ids of an OSS body; a blank id or one with inner whitespace → 400.</summary>
    private static EmulatorResponse? OssIds(JsonObject body, out Dictionary<string, string> ids)
    {
        ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in OssEntityKeys)
        {
            if (EmulatorJson.Str(body, key) is not { } value)
            {
                continue;
            }

            var trimmed = value.Trim();
            if (trimmed.Length == 0)
            {
                return EmulatorResponse.Detail(400, $"{key} cannot be empty.");
            }

            if (trimmed.Any(char.IsWhiteSpace))
            {
                return EmulatorResponse.Detail(400, $"{key} cannot contain whitespace.");
            }

            ids[key] = trimmed;
        }

        return null;
    }

    /// <summary>Parses an OSS JSON body; a bad or non-object body → FastAPI 422.</summary>
    private static EmulatorResponse? OssBody(EmulatorHttpRequest request, out JsonObject body)
    {
        body = [];
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = new JsonArray(PydanticError("missing", ["body"], "Field required", null)) });
        }

        if (!EmulatorJson.TryParse(request.Body, out var node))
        {
            var error = PydanticError("json_invalid", ["body", 0], "JSON decode error", new JsonObject());
            error["ctx"] = new JsonObject { ["error"] = "Expecting value" };
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = new JsonArray(error) });
        }

        if (node is not JsonObject obj)
        {
            return EmulatorResponse.Json(422, new JsonObject { ["detail"] = new JsonArray(PydanticError("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", node?.DeepClone())) });
        }

        body = obj;
        return null;
    }

    private static JsonObject PydanticError(string type, JsonNode?[] loc, string msg, JsonNode? input) => new()
    {
        ["type"] = type,
        ["loc"] = new JsonArray(loc.Select(l => l?.DeepClone()).ToArray()),
        ["msg"] = msg,
        ["input"] = input?.DeepClone(),
    };

    private static void CheckString(JsonObject obj, string key, JsonNode?[] loc, bool required, JsonArray errors)
    {
        var value = obj[key];
        if (!obj.ContainsKey(key))
        {
            if (required)
            {
                errors.Add(PydanticError("missing", [.. loc, key], "Field required", obj));
            }

            return;
        }

        if (EmulatorJson.IsNull(value) && !required)
        {
            return;
        }

        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            errors.Add(PydanticError("string_type", [.. loc, key], "Input should be a valid string", value));
        }
    }

    private static void CheckKind(JsonObject obj, string key, JsonValueKind kind, string type, string msg, JsonArray errors)
    {
        var value = obj[key];
        if (EmulatorJson.IsNull(value))
        {
            return;
        }

        var actual = value!.GetValueKind();
        var ok = kind == JsonValueKind.True ? actual is JsonValueKind.True or JsonValueKind.False : actual == kind;
        if (kind == JsonValueKind.Number && type == "int_type" && ok && value.GetValue<double>() % 1 != 0)
        {
            ok = false;
        }

        if (!ok)
        {
            errors.Add(PydanticError(type, ["body", key], msg, value));
        }
    }

    private static int? QueryInt(EmulatorHttpRequest request, string key, int min, int max, JsonArray errors)
    {
        if (!request.Query.TryGetValue(key, out var text))
        {
            return null;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(PydanticError("int_parsing", ["query", key], "Input should be a valid integer, unable to parse string as an integer", text));
            return null;
        }

        if (value < min)
        {
            var e = PydanticError("greater_than_equal", ["query", key], Invariant($"Input should be greater than or equal to {min}"), text);
            e["ctx"] = new JsonObject { ["ge"] = min };
            errors.Add(e);
        }
        else if (value > max)
        {
            var e = PydanticError("less_than_equal", ["query", key], Invariant($"Input should be less than or equal to {max}"), text);
            e["ctx"] = new JsonObject { ["le"] = max };
            errors.Add(e);
        }

        return value;
    }

    private static bool? QueryBool(EmulatorHttpRequest request, string key, JsonArray errors)
    {
        if (!request.Query.TryGetValue(key, out var text))
        {
            return null;
        }

        switch (text.ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES" or "ON" or "T" or "Y":
                return true;
            case "FALSE" or "0" or "NO" or "OFF" or "F" or "N":
                return false;
            default:
                errors.Add(PydanticError("bool_parsing", ["query", key], "Input should be a valid boolean, unable to interpret input", text));
                return null;
        }
    }
}
