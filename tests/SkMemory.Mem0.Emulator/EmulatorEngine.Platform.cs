using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkMemory.Mem0.Emulator;

/// <summary>The hosted Platform routes (reference §2): trailing slash always, <c>Authorization: Token</c>, DRF-style error bodies.</summary>
internal sealed partial class EmulatorEngine
{
    private const string InvalidApiKey = "Invalid API key. You can find your API key on https://app.mem0.ai/dashboard/api-keys.";
    private const string OneFilterRequired = "One of the filters: app_id, user_id, agent_id, run_id is required!";
    private const string DeleteInProgress = "Delete in progress. This may take some time.";

    private EmulatorResponse HandlePlatform(EmulatorHttpRequest request)
    {
        var path = request.Path;
        if (!path.EndsWith('/'))
        {
            return EmulatorResponse.NotFound();
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string[] allowed = segments switch
        {
            ["v1", "ping"] => ["GET"],
            ["v1", "memories"] => ["POST", "GET", "DELETE"],
            ["v1", "memories", "search"] or ["v2", "memories", "search"] => ["POST"],
            ["v3", "memories", "add"] or ["v3", "memories", "search"] or ["v3", "memories"] => ["POST"],
            ["v1", "memories", _] => ["GET", "PUT", "DELETE"],
            ["v1", "memories", _, "history"] => ["GET"],
            ["v1", "batch"] => ["PUT", "DELETE"],
            ["v1", "entities"] => ["GET"],
            ["v2", "entities", _, _] => ["DELETE"],
            ["v1", "event", _] => ["GET"],
            _ => [],
        };

        if (allowed.Length == 0)
        {
            return EmulatorResponse.NotFound();
        }

        var authorization = request.Authorization?.Trim();
        if (authorization is null || !string.Equals(authorization, "Token " + options.PlatformApiKey, StringComparison.Ordinal))
        {
            return EmulatorResponse.Detail(401, InvalidApiKey);
        }

        if (Array.IndexOf(allowed, request.Method) < 0)
        {
            return EmulatorResponse.Detail(405, $"Method \"{request.Method}\" not allowed.");
        }

        JsonObject body = [];
        if (request.Method is "POST" or "PUT" || (request.Method == "DELETE" && segments is ["v1", "batch"]))
        {
            if (!EmulatorJson.TryParse(request.Body, out var node))
            {
                return string.IsNullOrWhiteSpace(request.Body) && segments is ["v3", "memories"]
                    ? PlatformList(request, [])
                    : EmulatorResponse.Detail(400, "JSON parse error - Expecting value: line 1 column 1 (char 0)");
            }

            if (node is not JsonObject obj)
            {
                return EmulatorResponse.Json(400, new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary, but got " + node?.GetValueKind().ToString().ToUpperInvariant() + ".") });
            }

            body = obj;
        }

        return (segments, request.Method) switch
        {
            (["v1", "ping"], _) => EmulatorResponse.Ok(new JsonObject { ["status"] = "ok", ["org_id"] = "org-emulator", ["project_id"] = "proj-emulator", ["user_email"] = "emulator@example.invalid" }),
            (["v1", "memories"], "POST") => PlatformAddV1(body),
            (["v1", "memories"], "GET") => PlatformListV1(request),
            (["v1", "memories"], _) => PlatformDeleteAll(request),
            (["v1", "memories", "search"], _) => PlatformSearchV1(body),
            (["v2", "memories", "search"], _) => PlatformSearchV2(body),
            (["v3", "memories", "add"], _) => PlatformAddV3(body),
            (["v3", "memories", "search"], _) => PlatformSearchV3(body),
            (["v3", "memories"], _) => PlatformList(request, body),
            (["v1", "memories", var id], "GET") => WithMemory(id, r => EmulatorResponse.Ok(PlatformMemory(r))),
            (["v1", "memories", var id], "PUT") => WithMemory(id, r => PlatformUpdate(r, body)),
            (["v1", "memories", var id], _) => WithMemory(id, r => PlatformDelete(r, request)),
            (["v1", "memories", var id, _], _) => PlatformHistory(id),
            (["v1", "batch"], "PUT") => PlatformBatch(body, update: true),
            (["v1", "batch"], _) => PlatformBatch(body, update: false),
            (["v1", "entities"], _) => PlatformEntities(request),
            (["v2", "entities", var type, var name], _) => PlatformDeleteEntity(type, name),
            _ => PlatformEvent(segments[2]),
        };
    }

    private static EmulatorResponse BadInput(string message) =>
        EmulatorResponse.Json(400, new JsonObject { ["error"] = "400 Bad Request", ["details"] = new JsonObject { ["message"] = message } });

    private static EmulatorResponse FieldError(string field, string message) =>
        EmulatorResponse.Json(400, new JsonObject { [field] = new JsonArray(message) });

    /// <summary>Validates the messages of an add; null when valid.</summary>
    private static EmulatorResponse? CheckMessages(JsonObject body, out List<(string Role, string Content)> messages)
    {
        messages = [];
        if (body["messages"] is not JsonArray array || array.Count == 0)
        {
            return BadInput("Invalid input data. Please refer to the API reference: 'messages' must be a non-empty list of {role, content}.");
        }

        foreach (var item in array)
        {
            if (item is not JsonObject m || EmulatorJson.Str(m, "role") is not { } role || EmulatorJson.Str(m, "content") is not { } content)
            {
                return BadInput("Invalid input data. Please refer to the API reference: each message needs a string 'role' and a string 'content'.");
            }

            messages.Add((role, content));
        }

        return null;
    }

    private static Dictionary<string, string> PlatformIds(JsonObject source)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in FilterValues.EntityKeys)
        {
            if (EmulatorJson.Id(source[key]) is { Length: > 0 } value)
            {
                ids[key] = value;
            }
        }

        return ids;
    }

    private static JsonArray InputOf(List<(string Role, string Content)> messages) =>
        new(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());

    /// <summary>
    /// The deterministic stand-in for Mem0's extraction. Each non-system message becomes one memory (content trimmed).
    /// Inferred (v3) adds attribute speakers: user messages keep user_id only, assistant messages agent_id only; app_id/run_id
    /// are kept; a text whose md5 already exists in the same scope is skipped. Verbatim adds keep every id.
    /// </summary>
    private List<MemoryRecord> Ingest(JsonObject body, Dictionary<string, string> ids, List<(string Role, string Content)> messages, bool infer, bool attributeSpeakers)
    {
        var metadata = body["metadata"] as JsonObject;
        var expiration = EmulatorJson.Str(body, "expiration_date");
        DateTimeOffset? createdAt = EmulatorJson.Number(body["timestamp"]) is double ts && !double.IsNaN(ts) ? DateTimeOffset.FromUnixTimeMilliseconds((long)(ts * 1000)) : null;
        var immutable = EmulatorJson.Bool(body, "immutable") ?? false;
        var catalogue = (body["custom_categories"] as JsonArray ?? [])
            .OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key)).ToList();
        var input = InputOf(messages);
        var added = new List<MemoryRecord>();
        foreach (var (role, content) in messages)
        {
            var text = content.Trim();
            if (role == "system" || text.Length == 0)
            {
                continue;
            }

            var userId = ids.GetValueOrDefault("user_id");
            var agentId = ids.GetValueOrDefault("agent_id");
            if (infer && attributeSpeakers)
            {
                if (role == "assistant" && agentId is not null)
                {
                    userId = null;
                }
                else if (role != "assistant" && userId is not null)
                {
                    agentId = null;
                }
            }

            var appId = ids.GetValueOrDefault("app_id");
            var runId = ids.GetValueOrDefault("run_id");
            if (infer && _memories.Values.Any(r => r.Hash == EmulatorJson.Md5(text) && r.UserId == userId && r.AgentId == agentId && r.AppId == appId && r.RunId == runId))
            {
                continue;
            }

            var tokens = TextScorer.Tokens(text);
            var categories = catalogue.Where(c => TextScorer.Tokens(c).Overlaps(tokens)).ToList();
            added.Add(AddRecord(text, userId, agentId, appId, runId, infer ? null : role, metadata, expiration, categories, input.DeepClone().AsArray(), immutable, createdAt));
        }

        return added;
    }

    private static JsonObject AddResultV3(MemoryRecord r) => new() { ["id"] = r.Id.ToString(), ["data"] = new JsonObject { ["memory"] = r.Text }, ["event"] = "ADD" };

    private EmulatorEvent NewEvent(string type, JsonNode? payload, TimeSpan delay, Func<JsonArray> work)
    {
        var now = Now;
        var e = new EmulatorEvent { Id = Guid.NewGuid(), EventType = type, Payload = payload?.DeepClone(), CreatedAt = now, DueAt = now + delay, Work = work };
        _events[e.Id] = e;
        if (delay <= TimeSpan.Zero)
        {
            Complete(e);
        }

        return e;
    }

    private static EmulatorResponse? CheckAddFields(JsonObject body)
    {
        if (EmulatorJson.Str(body, "expiration_date") is { } expiration && !EmulatorJson.TryDate(expiration, out _))
        {
            return BadInput("Invalid input data. expiration_date must be in YYYY-MM-DD format.");
        }

        return body["metadata"] is not null && !EmulatorJson.IsNull(body["metadata"]) && body["metadata"] is not JsonObject
            ? BadInput("Invalid input data. metadata must be an object.")
            : null;
    }

    private EmulatorResponse PlatformAddV1(JsonObject body)
    {
        if (CheckMessages(body, out var messages) is { } bad)
        {
            return bad;
        }

        if (CheckAddFields(body) is { } badField)
        {
            return badField;
        }

        var ids = PlatformIds(body);
        if (ids.Count == 0)
        {
            return BadInput("Invalid input data. " + OneFilterRequired);
        }

        var infer = EmulatorJson.Bool(body, "infer") ?? true;
        var asyncMode = EmulatorJson.Bool(body, "async_mode") ?? true;
        var v11 = EmulatorJson.Str(body, "output_format") == "v1.1";
        if (asyncMode)
        {
            var e = NewEvent("ADD", body, options.PlatformAsyncDelay, () => new JsonArray(Ingest(body, ids, messages, infer, attributeSpeakers: false).Select(r => (JsonNode)AddResultV3(r)).ToArray()));
            var queued = new JsonObject { ["message"] = "Memory processing has been queued for background execution", ["status"] = "PENDING", ["event_id"] = e.Id.ToString() };
            return EmulatorResponse.Ok(v11 ? new JsonObject { ["results"] = new JsonArray(queued) } : new JsonArray(queued));
        }

        var added = Ingest(body, ids, messages, infer, attributeSpeakers: false);
        NewEvent("ADD", body, TimeSpan.Zero, () => new JsonArray(added.Select(r => (JsonNode)AddResultV3(r)).ToArray()));
        if (v11)
        {
            return EmulatorResponse.Ok(new JsonObject { ["results"] = new JsonArray(added.Select(r => (JsonNode)new JsonObject { ["id"] = r.Id.ToString(), ["event"] = "ADD", ["memory"] = r.Text }).ToArray()) });
        }

        return EmulatorResponse.Ok(new JsonArray(added.Select(r => (JsonNode)AddResultV3(r)).ToArray()));
    }

    private EmulatorResponse PlatformAddV3(JsonObject body)
    {
        if (CheckMessages(body, out var messages) is { } bad)
        {
            return bad;
        }

        if (CheckAddFields(body) is { } badField)
        {
            return badField;
        }

        var ids = body["filters"] is JsonObject filters ? PlatformIds(filters) : [];
        foreach (var (key, value) in PlatformIds(body))
        {
            ids[key] = value;
        }

        if (ids.Count == 0)
        {
            return BadInput("Invalid input data. " + OneFilterRequired);
        }

        var infer = EmulatorJson.Bool(body, "infer") ?? true;
        if (infer)
        {
            var e = NewEvent("ADD", body, options.PlatformAsyncDelay, () => new JsonArray(Ingest(body, ids, messages, infer: true, attributeSpeakers: true).Select(r => (JsonNode)AddResultV3(r)).ToArray()));
            return EmulatorResponse.Ok(new JsonObject { ["event_id"] = e.Id.ToString(), ["status"] = "PENDING" });
        }

        var added = Ingest(body, ids, messages, infer: false, attributeSpeakers: true);
        var done = NewEvent("ADD", body, TimeSpan.Zero, () => new JsonArray(added.Select(r => (JsonNode)AddResultV3(r)).ToArray()));
        return EmulatorResponse.Ok(new JsonObject
        {
            ["message"] = "Memories added successfully",
            ["status"] = "SUCCEEDED",
            ["event_id"] = done.Id.ToString(),
            ["results"] = done.Results.DeepClone(),
        });
    }

    private static string? BlankQuery(JsonObject body) =>
        EmulatorJson.Str(body, "query") is { } q && q.Length > 0 ? null : body.ContainsKey("query") ? "This field may not be blank." : "This field is required.";

    private EmulatorResponse PlatformSearchV1(JsonObject body)
    {
        if (BlankQuery(body) is { } queryError)
        {
            return FieldError("query", queryError);
        }

        var ids = PlatformIds(body);
        if (ids.Count == 0)
        {
            return EmulatorResponse.Message(400, "At least one of the filters: agent_id, user_id, app_id, run_id is required!");
        }

        var topK = TopK(body, 10, out var topKError);
        if (topKError is not null)
        {
            return topKError;
        }

        var metadata = body["metadata"] as JsonObject;
        var threshold = EmulatorJson.Number(body["threshold"]) is double t && !double.IsNaN(t) ? t : 0.0;
        var today = Today;
        var candidates = Ordered().Where(r => ids.All(p => r.EntityId(p.Key) == p.Value)
            && (metadata is null || metadata.All(p => FilterValues.Equal(r.Metadata?[p.Key], p.Value)))
            && Visible(r, EmulatorJson.Bool(body, "show_expired") ?? false, today));
        var items = new JsonArray();
        foreach (var (record, score, _) in Rank(candidates, EmulatorJson.Str(body, "query")!, threshold, topK))
        {
            items.Add(SearchItemV1(record, score));
        }

        return EmulatorResponse.Ok(EmulatorJson.Str(body, "output_format") == "v1.1" ? new JsonObject { ["results"] = items, ["relations"] = new JsonArray() } : items);
    }

    private EmulatorResponse PlatformSearchV2(JsonObject body)
    {
        if (BlankQuery(body) is { } queryError)
        {
            return FieldError("query", queryError);
        }

        if (body["filters"] is not JsonObject filters)
        {
            return FieldError("filters", "This field is required.");
        }

        var topK = TopK(body, 10, out var topKError);
        if (topKError is not null)
        {
            return topKError;
        }

        return Search(body, filters, topK, 0.3, (r, score, _) => SearchItemV1(r, score), items => items);
    }

    private EmulatorResponse PlatformSearchV3(JsonObject body)
    {
        if (BlankQuery(body) is { } queryError)
        {
            return FieldError("query", queryError);
        }

        if (FilterValues.EntityKeys.Any(body.ContainsKey))
        {
            return EmulatorResponse.Error(400, "Top-level entity parameters (user_id, agent_id, app_id, run_id) are not supported. Pass them inside 'filters', e.g. {\"filters\": {\"user_id\": \"alice\"}}.");
        }

        if (body["filters"] is not JsonObject filters)
        {
            return FieldError("filters", "This field is required.");
        }

        var topK = TopK(body, 10, out var topKError);
        if (topKError is not null)
        {
            return topKError;
        }

        return Search(body, filters, topK, 0.1, SearchItemV3, items => new JsonObject { ["results"] = items });
    }

    private EmulatorResponse Search(JsonObject body, JsonObject filters, int topK, double defaultThreshold, Func<MemoryRecord, double, double, JsonObject> item, Func<JsonArray, JsonNode> wrap)
    {
        if (!PlatformFilter.HasEntity(filters))
        {
            return EmulatorResponse.Message(400, OneFilterRequired);
        }

        var threshold = EmulatorJson.Number(body["threshold"]) ?? defaultThreshold;
        if (threshold is < 0 or > 1 || double.IsNaN(threshold))
        {
            return FieldError("threshold", "Ensure this value is between 0 and 1.");
        }

        Func<MemoryRecord, bool> match;
        try
        {
            match = PlatformFilter.Compile(filters);
        }
        catch (FilterException e)
        {
            return EmulatorResponse.Error(400, e.Message);
        }

        var showExpired = EmulatorJson.Bool(body, "show_expired") ?? false;
        var today = Today;
        var items = new JsonArray();
        foreach (var (record, score, keyword) in Rank(Ordered().Where(r => match(r) && Visible(r, showExpired, today)), EmulatorJson.Str(body, "query")!, threshold, topK))
        {
            items.Add(item(record, score, keyword));
        }

        return EmulatorResponse.Ok(wrap(items));
    }

    private static int TopK(JsonObject body, int fallback, out EmulatorResponse? error)
    {
        error = null;
        var value = EmulatorJson.Number(body["top_k"]);
        if (value is null)
        {
            return fallback;
        }

        if (double.IsNaN(value.Value) || value.Value % 1 != 0)
        {
            error = FieldError("top_k", "A valid integer is required.");
        }
        else if (value < 1)
        {
            error = FieldError("top_k", "Ensure this value is greater than or equal to 1.");
        }
        else if (value > 1000)
        {
            error = FieldError("top_k", "Ensure this value is less than or equal to 1000.");
        }

        return error is null ? (int)value.Value : fallback;
    }

    private EmulatorResponse PlatformList(EmulatorHttpRequest request, JsonObject body)
    {
        var page = PageParam(request, body, "page", 1, int.MaxValue, 1, out var pageError);
        var pageSize = PageParam(request, body, "page_size", 1, 200, 100, out var sizeError);
        if ((pageError ?? sizeError) is { } error)
        {
            return error;
        }

        if (body["filters"] is not JsonObject filters || !PlatformFilter.HasEntity(filters))
        {
            return EmulatorResponse.Message(400, OneFilterRequired);
        }

        Func<MemoryRecord, bool> match;
        try
        {
            match = PlatformFilter.Compile(filters);
        }
        catch (FilterException e)
        {
            return EmulatorResponse.Error(400, e.Message);
        }

        var showExpired = EmulatorJson.Bool(body, "show_expired") ?? false;
        EmulatorJson.TryInstant(body["start_date"], out var start);
        var hasStart = body["start_date"] is not null && !EmulatorJson.IsNull(body["start_date"]);
        EmulatorJson.TryInstant(body["end_date"], out var end);
        var hasEnd = body["end_date"] is not null && !EmulatorJson.IsNull(body["end_date"]);
        var categories = (body["categories"] as JsonArray)?.Select(EmulatorJson.Id).ToHashSet(StringComparer.Ordinal);
        var today = Today;
        var all = Ordered().Where(r => match(r) && Visible(r, showExpired, today)
            && (!hasStart || r.CreatedAt >= start) && (!hasEnd || r.CreatedAt <= end)
            && (categories is null || r.Categories.Exists(c => categories.Contains(c)))).ToList();
        return Page(all, page, pageSize, new Uri(request.BaseAddress, "v3/memories/"), []) ?? EmulatorResponse.NotFound();
    }

    private static EmulatorResponse? Page(List<MemoryRecord> all, int page, int pageSize, Uri pageUri, List<KeyValuePair<string, string>> extraQuery)
    {
        var pages = Math.Max(1, (all.Count + pageSize - 1) / pageSize);
        if (page > pages)
        {
            return EmulatorResponse.Detail(404, "Invalid page.");
        }

        string Link(int p)
        {
            var query = string.Join('&', new[] { $"page={p.ToString(CultureInfo.InvariantCulture)}", $"page_size={pageSize.ToString(CultureInfo.InvariantCulture)}" }
                .Concat(extraQuery.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}")));
            return pageUri.GetLeftPart(UriPartial.Path) + "?" + query;
        }

        var results = new JsonArray(all.Skip((page - 1) * pageSize).Take(pageSize).Select(r => (JsonNode)PlatformListItem(r)).ToArray());
        return EmulatorResponse.Ok(new JsonObject
        {
            ["count"] = all.Count,
            ["next"] = page < pages ? Link(page + 1) : null,
            ["previous"] = page > 1 ? Link(page - 1) : null,
            ["results"] = results,
        });
    }

    private static int PageParam(EmulatorHttpRequest request, JsonObject body, string key, int min, int max, int fallback, out EmulatorResponse? error)
    {
        error = null;
        double? value;
        if (request.Query.TryGetValue(key, out var text))
        {
            value = double.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : double.NaN;
        }
        else
        {
            value = EmulatorJson.Number(body[key]);
        }

        if (value is null)
        {
            return fallback;
        }

        if (double.IsNaN(value.Value) || value.Value % 1 != 0)
        {
            error = key == "page" ? EmulatorResponse.Detail(404, "Invalid page.") : FieldError(key, "A valid integer is required.");
        }
        else if (value < min)
        {
            error = key == "page" ? EmulatorResponse.Detail(404, "Invalid page.") : FieldError(key, Invariant($"Ensure this value is greater than or equal to {min}."));
        }
        else if (value > max)
        {
            error = FieldError(key, Invariant($"Ensure this value is less than or equal to {max}."));
        }

        return error is null ? (int)value.Value : fallback;
    }

    /// <summary>Entity filters from a query string: exact values, or "*" for any non-null value.</summary>
    private static Func<MemoryRecord, bool>? QueryScope(EmulatorHttpRequest request)
    {
        var ids = FilterValues.EntityKeys.Where(k => request.Query.TryGetValue(k, out var v) && v.Length > 0).ToDictionary(k => k, k => request.Query[k], StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return null;
        }

        JsonObject? metadata = null;
        if (request.Query.TryGetValue("metadata", out var json) && EmulatorJson.TryParse(json, out var node))
        {
            metadata = node as JsonObject;
        }

        return r => ids.All(p => p.Value == "*" ? r.EntityId(p.Key) is not null : r.EntityId(p.Key) == p.Value)
            && (metadata is null || metadata.All(p => FilterValues.Equal(r.Metadata?[p.Key], p.Value)));
    }

    private EmulatorResponse PlatformListV1(EmulatorHttpRequest request)
    {
        if (QueryScope(request) is not { } scope)
        {
            return EmulatorResponse.Json(400, new JsonArray(OneFilterRequired));
        }

        var limit = 100;
        if (request.Query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit < 1)
            {
                return EmulatorResponse.Error(400, "limit must be a positive integer");
            }

            if (limit > 200)
            {
                return EmulatorResponse.Error(400, "limit must be <= 200");
            }
        }

        var showExpired = request.Query.TryGetValue("show_expired", out var se) && string.Equals(se, "true", StringComparison.OrdinalIgnoreCase);
        var today = Today;
        var all = Ordered().Where(r => scope(r) && Visible(r, showExpired, today)).ToList();
        if (request.Query.ContainsKey("page") && request.Query.ContainsKey("page_size"))
        {
            var page = PageParam(request, [], "page", 1, int.MaxValue, 1, out var pageError);
            var pageSize = PageParam(request, [], "page_size", 1, 200, 100, out var sizeError);
            if ((pageError ?? sizeError) is { } error)
            {
                return error;
            }

            var extra = request.Query.Where(kv => kv.Key is not ("page" or "page_size")).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            return Page(all, page, pageSize, new Uri(request.BaseAddress, "v1/memories/"), extra)!;
        }

        return EmulatorResponse.Ok(new JsonArray(all.Take(limit).Select(r => (JsonNode)PlatformListItem(r)).ToArray()));
    }

    private EmulatorResponse PlatformDeleteAll(EmulatorHttpRequest request)
    {
        if (QueryScope(request) is not { } scope)
        {
            return EmulatorResponse.Error(400, "At least one filter is required to delete all memories. " + OneFilterRequired);
        }

        var payload = new JsonObject();
        foreach (var (key, value) in request.Query)
        {
            payload[key] = value;
        }

        var e = NewEvent("DELETE", payload, TimeSpan.Zero, () =>
        {
            var results = new JsonArray();
            foreach (var r in Ordered().Where(scope).ToList())
            {
                DeleteRecord(r);
                results.Add(new JsonObject { ["id"] = r.Id.ToString(), ["data"] = new JsonObject { ["memory"] = r.Text }, ["event"] = "DELETE" });
            }

            return results;
        });
        return EmulatorResponse.Ok(new JsonObject { ["message"] = DeleteInProgress, ["event_id"] = e.Id.ToString() });
    }

    private EmulatorResponse WithMemory(string id, Func<MemoryRecord, EmulatorResponse> action)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return EmulatorResponse.Error(400, "memory_id should be a valid UUID");
        }

        return _memories.TryGetValue(guid, out var record) ? action(record) : EmulatorResponse.Error(404, "Memory not found!");
    }

    private EmulatorResponse PlatformUpdate(MemoryRecord record, JsonObject body)
    {
        var hasText = body.ContainsKey("text");
        var text = EmulatorJson.Str(body, "text");
        var setExpiration = body.ContainsKey("expiration_date");
        var expiration = EmulatorJson.Str(body, "expiration_date");
        var metadata = body["metadata"] as JsonObject;
        if (!hasText && metadata is null && !setExpiration && !body.ContainsKey("timestamp"))
        {
            return EmulatorResponse.Error(400, "At least one of text, metadata, expiration_date or timestamp is required.");
        }

        if ((hasText && string.IsNullOrWhiteSpace(text)) || (setExpiration && expiration is null && !EmulatorJson.IsNull(body["expiration_date"])))
        {
            return EmulatorResponse.Error(400, "Invalid input data.");
        }

        if (expiration is not null && !EmulatorJson.TryDate(expiration, out _))
        {
            return EmulatorResponse.Error(400, "expiration_date must be in YYYY-MM-DD format.");
        }

        if (record.Immutable && hasText)
        {
            return EmulatorResponse.Error(400, "Cannot update an immutable memory.");
        }

        if (body.ContainsKey("timestamp"))
        {
            if (!EmulatorJson.TryInstant(body["timestamp"], out var timestamp))
            {
                return EmulatorResponse.Error(400, "timestamp must be a unix timestamp or an ISO-8601 date-time.");
            }

            record.CreatedAt = timestamp;
        }

        UpdateRecord(record, text, metadata, setExpiration, expiration);
        return EmulatorResponse.Ok(PlatformMemory(record));
    }

    private EmulatorResponse PlatformDelete(MemoryRecord record, EmulatorHttpRequest request)
    {
        DeleteRecord(record);
        var response = new JsonObject { ["message"] = "Memory deleted successfully!" };
        if (request.Query.TryGetValue("delete_linked", out var linked) && string.Equals(linked, "true", StringComparison.OrdinalIgnoreCase))
        {
            response["cascade_count"] = 0;
        }

        return EmulatorResponse.Ok(response);
    }

    private EmulatorResponse PlatformHistory(string id)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return EmulatorResponse.Error(400, "memory_id should be a valid UUID");
        }

        var rows = _history.Where(h => h.MemoryId == guid).ToList();
        if (rows.Count == 0)
        {
            return EmulatorResponse.Error(404, "Memory not found!");
        }

        return EmulatorResponse.Ok(new JsonArray(rows.Select(h => (JsonNode)new JsonObject
        {
            ["id"] = h.Id.ToString(),
            ["memory_id"] = h.MemoryId.ToString(),
            ["input"] = h.Event == "ADD" ? h.Snapshot.Input.DeepClone() : new JsonArray(),
            ["old_memory"] = h.OldMemory,
            ["new_memory"] = h.NewMemory,
            ["user_id"] = h.Snapshot.UserId,
            ["agent_id"] = h.Snapshot.AgentId,
            ["app_id"] = h.Snapshot.AppId,
            ["session_id"] = h.Snapshot.RunId,
            ["categories"] = Strings(h.Snapshot.Categories),
            ["event"] = h.Event,
            ["metadata"] = h.Metadata?.DeepClone(),
            ["created_at"] = EmulatorJson.Timestamp(h.WrittenAt),
            ["updated_at"] = EmulatorJson.Timestamp(h.WrittenAt),
        }).ToArray()));
    }

    private EmulatorResponse PlatformBatch(JsonObject body, bool update)
    {
        if (body["memories"] is not JsonArray items)
        {
            return EmulatorResponse.Error(400, "memories must be a list.");
        }

        if (items.Count > 1000)
        {
            return EmulatorResponse.Error(400, "Maximum of 1000 memories can be updated in a single request");
        }

        var targets = new List<(MemoryRecord Record, JsonObject Item)>();
        foreach (var node in items)
        {
            if (node is not JsonObject item || !Guid.TryParse(EmulatorJson.Str(item, "memory_id"), out var id))
            {
                return EmulatorResponse.Error(400, "memory_id should be a valid UUID");
            }

            if (!_memories.TryGetValue(id, out var record))
            {
                return EmulatorResponse.Error(404, "Memory not found!");
            }

            targets.Add((record, item));
        }

        foreach (var (record, item) in targets)
        {
            if (update)
            {
                UpdateRecord(record, EmulatorJson.Str(item, "text"), item["metadata"] as JsonObject, false, null);
            }
            else if (_memories.ContainsKey(record.Id))
            {
                DeleteRecord(record);
            }
        }

        var verb = update ? "updated" : "deleted";
        return EmulatorResponse.Message(200, Invariant($"Successfully {verb} {targets.Count} memories"));
    }

    private EmulatorResponse PlatformEntities(EmulatorHttpRequest request)
    {
        var page = PageParam(request, [], "page", 1, int.MaxValue, 1, out var pageError);
        var pageSize = PageParam(request, [], "page_size", 1, 200, 100, out var sizeError);
        if ((pageError ?? sizeError) is { } error)
        {
            return error;
        }

        var groups = Ordered().SelectMany(r => EntitiesOf(r).Select(e => (Entity: e, Record: r)))
            .GroupBy(x => x.Entity)
            .OrderBy(g => _entityNumbers.GetValueOrDefault(g.Key))
            .ToList();
        var pages = Math.Max(1, (groups.Count + pageSize - 1) / pageSize);
        if (page > pages)
        {
            return EmulatorResponse.Detail(404, "Invalid page.");
        }

        string Link(int p) => new Uri(request.BaseAddress, Invariant($"v1/entities/?page={p}&page_size={pageSize}")).ToString();
        var results = new JsonArray(groups.Skip((page - 1) * pageSize).Take(pageSize).Select(g => (JsonNode)new JsonObject
        {
            ["id"] = _entityNumbers.GetValueOrDefault(g.Key).ToString(CultureInfo.InvariantCulture),
            ["name"] = g.Key.Name,
            ["type"] = g.Key.Type,
            ["owner"] = "emulator",
            ["metadata"] = null,
            ["total_memories"] = g.Count(),
            ["created_at"] = EmulatorJson.Timestamp(g.Min(x => x.Record.CreatedAt)),
            ["updated_at"] = EmulatorJson.Timestamp(g.Max(x => x.Record.UpdatedAt)),
        }).ToArray());
        return EmulatorResponse.Ok(new JsonObject
        {
            ["count"] = groups.Count,
            ["next"] = page < pages ? Link(page + 1) : null,
            ["previous"] = page > 1 ? Link(page - 1) : null,
            ["total_users"] = groups.Count(g => g.Key.Type == "user"),
            ["total_agents"] = groups.Count(g => g.Key.Type == "agent"),
            ["total_apps"] = groups.Count(g => g.Key.Type == "app"),
            ["total_runs"] = groups.Count(g => g.Key.Type == "run"),
            ["results"] = results,
        });
    }

    private EmulatorResponse PlatformDeleteEntity(string type, string name)
    {
        if (type is not ("user" or "agent" or "app" or "run"))
        {
            return EmulatorResponse.Message(400, "Invalid entity type");
        }

        var e = NewEvent("DELETE", new JsonObject { ["entity_type"] = type, ["entity_id"] = name }, TimeSpan.Zero, () =>
        {
            var results = new JsonArray();
            foreach (var r in Ordered().Where(r => r.EntityId(type) == name).ToList())
            {
                DeleteRecord(r);
                results.Add(new JsonObject { ["id"] = r.Id.ToString(), ["data"] = new JsonObject { ["memory"] = r.Text }, ["event"] = "DELETE" });
            }

            return results;
        });
        _entityNumbers.Remove((type, name));
        return EmulatorResponse.Ok(new JsonObject { ["message"] = DeleteInProgress, ["event_id"] = e.Id.ToString() });
    }

    private EmulatorResponse PlatformEvent(string id)
    {
        if (!Guid.TryParse(id, out var guid) || !_events.TryGetValue(guid, out var e))
        {
            return EmulatorResponse.Error(404, "Event not found or you don't have permission to access it.");
        }

        return EmulatorResponse.Ok(new JsonObject
        {
            ["id"] = e.Id.ToString(),
            ["event_type"] = e.EventType,
            ["status"] = e.Done ? "SUCCEEDED" : "PENDING",
            ["payload"] = e.Payload?.DeepClone(),
            ["metadata"] = null,
            ["results"] = e.Results.DeepClone(),
            ["created_at"] = EmulatorJson.Timestamp(e.CreatedAt),
            ["updated_at"] = EmulatorJson.Timestamp(e.CompletedAt ?? e.CreatedAt),
            ["started_at"] = e.CompletedAt is { } s ? EmulatorJson.Timestamp(s) : null,
            ["completed_at"] = e.CompletedAt is { } c ? EmulatorJson.Timestamp(c) : null,
            ["latency"] = e.CompletedAt is { } l ? Math.Round((l - e.CreatedAt).TotalMilliseconds, 1) : null,
            ["graph_status"] = null,
            ["error"] = null,
        });
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>v1/v2 search item: the MAF/SK wire shape (session_id for the run, hash, numeric score).</summary>
    private static JsonObject SearchItemV1(MemoryRecord r, double score) => new()
    {
        ["id"] = r.Id.ToString(),
        ["memory"] = r.Text,
        ["hash"] = r.Hash,
        ["user_id"] = r.UserId,
        ["agent_id"] = r.AgentId,
        ["app_id"] = r.AppId,
        ["session_id"] = r.RunId,
        ["score"] = score,
        ["metadata"] = r.Metadata?.DeepClone(),
        ["categories"] = Strings(r.Categories),
        ["immutable"] = r.Immutable,
        ["expiration_date"] = r.ExpirationDate,
        ["created_at"] = EmulatorJson.Timestamp(r.CreatedAt),
        ["updated_at"] = EmulatorJson.Timestamp(r.UpdatedAt),
    };

    private static JsonObject SearchItemV3(MemoryRecord r, double score, double keyword) => new()
    {
        ["id"] = r.Id.ToString(),
        ["memory"] = r.Text,
        ["user_id"] = r.UserId,
        ["agent_id"] = r.AgentId,
        ["app_id"] = r.AppId,
        ["run_id"] = r.RunId,
        ["score"] = score,
        ["score_breakdown"] = new JsonObject { ["semantic"] = score, ["bm25"] = keyword, ["entity"] = 0.0 },
        ["metadata"] = r.Metadata?.DeepClone(),
        ["categories"] = Strings(r.Categories),
        ["expiration_date"] = r.ExpirationDate,
        ["created_at"] = EmulatorJson.Timestamp(r.CreatedAt),
        ["updated_at"] = EmulatorJson.Timestamp(r.UpdatedAt),
    };

    private static JsonObject PlatformListItem(MemoryRecord r) => new()
    {
        ["id"] = r.Id.ToString(),
        ["memory"] = r.Text,
        ["user_id"] = r.UserId,
        ["agent_id"] = r.AgentId,
        ["app_id"] = r.AppId,
        ["session_id"] = r.RunId,
        ["metadata"] = r.Metadata?.DeepClone(),
        ["categories"] = Strings(r.Categories),
        ["structured_attributes"] = null,
        ["replaced_by"] = null,
        ["synthesized"] = false,
        ["immutable"] = r.Immutable,
        ["expiration_date"] = r.ExpirationDate,
        ["created_at"] = EmulatorJson.Timestamp(r.CreatedAt),
        ["updated_at"] = EmulatorJson.Timestamp(r.UpdatedAt),
    };

    private static JsonObject PlatformMemory(MemoryRecord r)
    {
        var item = PlatformListItem(r);
        item["hash"] = r.Hash;
        item["lifecycle_state"] = "active";
        return item;
    }
}
