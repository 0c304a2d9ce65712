using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SkMemory.Storage;

namespace SkMemory.Governance.ApiKeys;

/// <summary>
/// What every canonical store's <see cref="IMemoryApiKeyStore"/> shares, written once: the checks, the secret's format
/// (<c>skm_&lt;12 hex id&gt;_&lt;43 base64url chars&gt;</c>, 256 random bits) and its hash (SHA-256: the secret is random, so a
/// slow hash adds nothing). A backend supplies the SQL of <c>memory_api_keys</c> on its own connections.
/// </summary>
internal abstract class ApiKeyStore : IMemoryApiKeyStore
{
    private const string Prefix = "skm_";
    private const int IdLength = 12;
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);
    private static readonly string[] KnownRoles =
    [
        MemoryRoles.Admin, MemoryRoles.ReadAll, MemoryRoles.TeamWriter, MemoryRoles.PublicWriter,
        MemoryRoles.VaultReveal, MemoryRoles.Auditor, MemoryRoles.Operator,
    ];

    private readonly TimeProvider _time;

    protected ApiKeyStore(TimeProvider time)
    {
        _time = time;
    }

    public async Task<MemoryApiKeyIssue> CreateAsync(MemoryApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        MemoryRequestValidator.Tenant(request.Tenant);
        MemoryRequestValidator.Actor(request.Actor);
        foreach (var role in request.Roles)
        {
            if (role == MemoryRoles.StoreOwner)
            {
                throw new MemoryValidationException("roles", "an API key cannot hold the store owner role: a key works in one tenant only");
            }

            if (!KnownRoles.Contains(role, StringComparer.Ordinal))
            {
                throw new MemoryValidationException("roles", $"unknown role '{role}'; roles are {string.Join(", ", KnownRoles)}");
            }
        }

        foreach (var team in request.Teams)
        {
            MemoryRequestValidator.Subject(team);
        }

        foreach (var subject in request.ActingFor)
        {
            MemoryRequestValidator.Subject(subject);
        }

        if (request.ScopeKinds.Any(k => !Enum.IsDefined(k)))
        {
            throw new MemoryValidationException("scope_kinds", "unknown scope kind");
        }

        if (request.Label is { Length: > 200 })
        {
            throw new MemoryValidationException("label", "is longer than 200 characters");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = $"{Prefix}{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        var key = new MemoryApiKey
        {
            Id = id,
            Tenant = request.Tenant,
            Actor = request.Actor,
            Roles = [.. request.Roles.Distinct(StringComparer.Ordinal)],
            Teams = [.. request.Teams.Distinct(StringComparer.Ordinal)],
            ActingFor = [.. request.ActingFor.Distinct(StringComparer.Ordinal)],
            ScopeKinds = [.. request.ScopeKinds.Distinct()],
            Label = request.Label,
            CreatedAt = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow()),
        };
        await InsertAsync(key, Hash(secret), cancellationToken).ConfigureAwait(false);
        return new MemoryApiKeyIssue(key, secret);
    }

    public async Task<MemoryApiKey?> AuthenticateAsync(string presentedSecret, CancellationToken cancellationToken = default)
    {
        if (ParseId(presentedSecret) is not { } id
            || await FindAsync(id, cancellationToken).ConfigureAwait(false) is not { } row
            || row.Key.RevokedAt is not null)
        {
            return null;
        }

        // Constant-time, so the comparison leaks nothing about how much of a guess was right.
        var presented = Convert.FromHexString(Hash(presentedSecret));
        if (!CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(row.Hash)))
        {
            return null;
        }

        // Last use is kept to the minute: a write per request would make every authenticated call a database write.
        var now = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow());
        if (row.Key.LastUsedAt is { } last && now - last < LastUseResolution)
        {
            return row.Key;
        }

        await TouchAsync(id, now, cancellationToken).ConfigureAwait(false);
        return row.Key with { LastUsedAt = now };
    }

    public async Task<MemoryApiKey?> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return keyId.Length == IdLength && keyId.All(Uri.IsHexDigit) && await FindAsync(keyId, cancellationToken).ConfigureAwait(false) is { } row ? row.Key : null;
    }

    public Task<IReadOnlyList<MemoryApiKey>> ListAsync(string? tenant = null, CancellationToken cancellationToken = default)
    {
        if (tenant is not null)
        {
            MemoryRequestValidator.Tenant(tenant);
        }

        return ListRowsAsync(tenant, cancellationToken);
    }

    public Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return RevokeRowAsync(keyId, MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow()), cancellationToken);
    }

    protected static string ToJson(IReadOnlyList<string> values) => JsonSerializer.Serialize(values.ToArray(), MemoryJsonContext.Default.StringArray);

    protected static string ToJson(IReadOnlyList<MemoryScopeKind> kinds) => ToJson(kinds.Select(k => MemoryJson.EnumName(k)).ToList());

    protected static IReadOnlyList<string> Strings(string json) => JsonSerializer.Deserialize(json, MemoryJsonContext.Default.StringArray) ?? [];

    protected static IReadOnlyList<MemoryScopeKind> Kinds(string json) =>
        [.. Strings(json).Select(name => MemoryJson.TryParseEnum<MemoryScopeKind>(name, out var kind) ? kind : throw new InvalidOperationException($"unknown scope kind '{name}' in memory_api_keys"))];

    protected abstract Task InsertAsync(MemoryApiKey key, string hash, CancellationToken cancellationToken);

    protected abstract Task<(MemoryApiKey Key, string Hash)?> FindAsync(string id, CancellationToken cancellationToken);

    protected abstract Task<IReadOnlyList<MemoryApiKey>> ListRowsAsync(string? tenant, CancellationToken cancellationToken);

    protected abstract Task<bool> RevokeRowAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    protected abstract Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    private static string? ParseId(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length != Prefix.Length + IdLength + 1 + 43 || secret[Prefix.Length + IdLength] != '_')
        {
            return null;
        }

        var id = secret.Substring(Prefix.Length, IdLength);
        return id.All(Uri.IsHexDigit) ? id : null;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
