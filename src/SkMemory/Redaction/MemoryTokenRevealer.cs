using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SkMemory.Redaction;

/// <summary>
/// Reveals tokenized values: only to a caller of the token's tenant with <see cref="MemoryRoles.VaultReveal"/>, only with a
/// reason, and every reveal is recorded (<c>memory_vault_reveals</c>). A refusal is recorded in the store's audit log
/// (<see cref="IMemoryAuditLog"/>) when it has one.
/// </summary>
/// <remarks>Thread-safe. Revealed values are never logged.</remarks>
public sealed partial class MemoryTokenRevealer
{
    private readonly IMemoryTokenVault _vault;
    private readonly IMemoryAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MemoryTokenRevealer"/> class.</summary>
    /// <param name="store">The store whose vault (unless <see cref="MemoryRedactionOptions.Vault"/> is set) and audit log are used.</param>
    /// <param name="options">The options: the vault key values were sealed with, the clock.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="MemoryException">No vault is available (<see cref="MemoryErrorCode.NotSupported"/>).</exception>
    public MemoryTokenRevealer(IMemoryStore store, MemoryRedactionOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new MemoryRedactionOptions();
        var vault = options.Vault ?? store.GetService(typeof(IMemoryTokenVault)) as IMemoryTokenVault
            ?? throw new MemoryException(MemoryErrorCode.NotSupported, "This store keeps no token vault; reveal needs the SQLite or Postgres store, or a vault set in the redaction options.");
        _vault = options.VaultKey is { } key ? new EncryptingTokenVault(vault, new VaultCipher(key)) : vault;
        _audit = store.GetService(typeof(IMemoryAuditLog)) as IMemoryAuditLog;
        _time = options.TimeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MemoryTokenRevealer>();
    }

    /// <summary>Reveals the value behind a token and records the reveal.</summary>
    /// <param name="caller">Who asks.</param>
    /// <param name="tenant">The token's tenant.</param>
    /// <param name="token">The token, <c>[[tok:&lt;kind&gt;:&lt;id&gt;]]</c>.</param>
    /// <param name="reason">Why (recorded with the reveal).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="MemoryValidationException">The token is malformed or the reason blank.</exception>
    /// <exception cref="MemoryAccessDeniedException">The caller is of another tenant or lacks <see cref="MemoryRoles.VaultReveal"/>.</exception>
    /// <exception cref="MemoryException">The tenant has no such token (<see cref="MemoryErrorCode.NotFound"/>): never created, or purged.</exception>
    public async Task<string> RevealAsync(MemoryCaller caller, string tenant, string token, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(reason);
        if (!MemoryVaultToken.IsToken(token))
        {
            throw new MemoryValidationException("token", "is not a vault token; tokens look like [[tok:<kind>:<26 characters 0-9a-z>]]");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new MemoryValidationException("reason", "is required: say why the value is revealed (it is recorded with the reveal)");
        }

        if (!caller.MayEnter(tenant))
        {
            await DenyAsync(caller, tenant, MemoryAccessDenialReason.CrossTenant, $"{caller.Actor} belongs to tenant '{caller.Tenant}' and cannot reveal tokens of tenant '{tenant}'.", cancellationToken).ConfigureAwait(false);
        }

        if (!caller.HasRole(MemoryRoles.VaultReveal))
        {
            await DenyAsync(caller, tenant, MemoryAccessDenialReason.MissingRole, $"{caller.Actor} lacks the role {MemoryRoles.VaultReveal}; ask an administrator to grant it to reveal tokenized values.", cancellationToken).ConfigureAwait(false);
        }

        var entry = await _vault.GetAsync(tenant, token, cancellationToken).ConfigureAwait(false)
            ?? throw new MemoryException(MemoryErrorCode.NotFound, $"Tenant '{tenant}' has no vault entry for {token}: it was never created there, or its memory was purged.");
        await _vault.RecordRevealAsync(
            new MemoryVaultReveal { Tenant = tenant, Token = token, Actor = caller.Actor, Reason = reason.Trim(), RevealedAt = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow()) },
            cancellationToken).ConfigureAwait(false);
        LogRevealed(token, tenant, caller.Actor.ToString());
        return entry.Value;
    }

    private async Task DenyAsync(MemoryCaller caller, string tenant, MemoryAccessDenialReason reason, string detail, CancellationToken cancellationToken)
    {
        var denial = new MemoryAccessDenial
        {
            Tenant = tenant,
            Actor = caller.Actor,
            Operation = "vault_reveal",
            Reason = reason,
            Detail = detail,
            DeniedAt = MemoryEventChain.TruncateToMicroseconds(_time.GetUtcNow()),
        };
        if (_audit is not null)
        {
            await _audit.RecordDenialAsync(denial, cancellationToken).ConfigureAwait(false);
        }

        LogDenied(tenant, caller.Actor.ToString(), reason.ToString());
        throw new MemoryAccessDeniedException(denial);
    }

    [LoggerMessage(614, LogLevel.Information, "Vault token {Token} of tenant {Tenant} revealed to {Actor}.")]
    private partial void LogRevealed(string token, string tenant, string actor);

    [LoggerMessage(615, LogLevel.Warning, "Vault reveal in tenant {Tenant} denied to {Actor}: {Reason}.")]
    private partial void LogDenied(string tenant, string actor, string reason);
}
