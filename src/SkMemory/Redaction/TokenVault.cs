using System.Text.RegularExpressions;
using SkMemory.Storage;

namespace SkMemory.Redaction;

/// <summary>
/// What every canonical store's <see cref="IMemoryTokenVault"/> shares, written once: the checks, the token format, and the
/// reveal rows' shape. A backend supplies the SQL (<c>memory_vault</c>, <c>memory_vault_reveals</c>) on its own connections.
/// </summary>
internal abstract partial class TokenVault : IMemoryTokenVault
{
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="TokenVault"/> class.</summary>
    /// <param name="time">The store's clock, for <c>created_at</c>.</param>
    protected TokenVault(TimeProvider time)
    {
        _time = time;
    }

    /// <inheritdoc />
    public Task<string> TokenizeAsync(string tenant, string kind, string? subject, string value, CancellationToken cancellationToken = default)
    {
        MemoryRequestValidator.Tenant(tenant);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        if (!KindName().IsMatch(kind))
        {
            throw new MemoryValidationException("kind", $"'{kind}' is not a kind name; kinds are [a-z0-9_]+");
        }

        if (value.Length == 0)
        {
            throw new MemoryValidationException("value", "is empty; there is nothing to tokenize");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow());
        return GetOrInsertAsync(tenant, kind, subject, value, MemoryVaultToken.Create(kind), now, cancellationToken);
    }

    /// <inheritdoc />
    public Task<MemoryVaultEntry?> GetAsync(string tenant, string token, CancellationToken cancellationToken = default)
    {
        Check(tenant, token);
        cancellationToken.ThrowIfCancellationRequested();
        return ReadAsync(tenant, token, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string tenant, string token, CancellationToken cancellationToken = default)
    {
        Check(tenant, token);
        cancellationToken.ThrowIfCancellationRequested();
        return DeleteRowAsync(tenant, token, cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reveal);
        Check(reveal.Tenant, reveal.Token);
        MemoryRequestValidator.Actor(reveal.Actor);
        if (string.IsNullOrWhiteSpace(reveal.Reason))
        {
            throw new MemoryValidationException("reason", "is required: every reveal says why");
        }

        cancellationToken.ThrowIfCancellationRequested();
        return InsertRevealAsync(reveal with { RevealedAt = MemoryEventChain.TruncateToMicroseconds(reveal.RevealedAt) }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryVaultReveal>> GetRevealsAsync(string tenant, string token, CancellationToken cancellationToken = default)
    {
        Check(tenant, token);
        cancellationToken.ThrowIfCancellationRequested();
        return ReadRevealsAsync(tenant, token, cancellationToken);
    }

    /// <summary>Returns the token of (tenant, kind, value) if one exists, else inserts <paramref name="newToken"/>; atomically.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="value">The value.</param>
    /// <param name="newToken">The token to insert when none exists.</param>
    /// <param name="createdAt">When.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The token.</returns>
    protected abstract Task<string> GetOrInsertAsync(string tenant, string kind, string? subject, string value, string newToken, DateTimeOffset createdAt, CancellationToken cancellationToken);

    /// <summary>Reads an entry.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry, or null.</returns>
    protected abstract Task<MemoryVaultEntry?> ReadAsync(string tenant, string token, CancellationToken cancellationToken);

    /// <summary>Deletes an entry.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Whether one was deleted.</returns>
    protected abstract Task<bool> DeleteRowAsync(string tenant, string token, CancellationToken cancellationToken);

    /// <summary>Inserts a reveal row.</summary>
    /// <param name="reveal">The reveal (time truncated to microseconds).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    protected abstract Task InsertRevealAsync(MemoryVaultReveal reveal, CancellationToken cancellationToken);

    /// <summary>Reads a token's reveals, oldest first.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The reveals.</returns>
    protected abstract Task<IReadOnlyList<MemoryVaultReveal>> ReadRevealsAsync(string tenant, string token, CancellationToken cancellationToken);

    /// <summary>Parses an actor kind column.</summary>
    /// <param name="name">The JSON name.</param>
    /// <returns>The kind.</returns>
    protected static MemoryActorKind ParseActorKind(string name) =>
        MemoryJson.TryParseEnum<MemoryActorKind>(name, out var kind) ? kind : throw new InvalidDataException($"A vault reveal row has an unknown actor kind '{name}'.");

    private static void Check(string tenant, string token)
    {
        MemoryRequestValidator.Tenant(tenant);
        if (!MemoryVaultToken.IsToken(token))
        {
            throw new MemoryValidationException("token", "is not a vault token; tokens look like [[tok:<kind>:<26 characters 0-9a-z>]]");
        }
    }

    [GeneratedRegex("^[a-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KindName();
}
