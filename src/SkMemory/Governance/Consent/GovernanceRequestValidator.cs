using SkMemory.Storage;

namespace SkMemory.Governance;

/// <summary>
/// The checks every backend's consent and legal hold stores share, so SQLite and Postgres refuse the same input with the
/// same message. Each rule names the JSON field it checks and what to do instead.
/// </summary>
internal static class GovernanceRequestValidator
{
    /// <summary>The longest purpose a consent may state.</summary>
    public const int MaxPurposeLength = 256;

    /// <summary>The longest legal hold id.</summary>
    public const int MaxHoldIdLength = 128;

    /// <summary>Checks a consent change and returns it with its times in the stores' precision (UTC, microseconds).</summary>
    /// <param name="consent">The change.</param>
    /// <param name="now">The store's clock.</param>
    /// <returns>The consent to store.</returns>
    public static MemoryConsent Consent(MemoryConsent consent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(consent);
        MemoryRequestValidator.Tenant(consent.Tenant);
        MemoryRequestValidator.Subject(consent.Subject);
        if (!Enum.IsDefined(consent.Scope))
        {
            throw new MemoryValidationException("scope", $"unknown scope kind {(int)consent.Scope}; use one of {string.Join(", ", MemoryJson.EnumNamesOf<MemoryScopeKind>())}");
        }

        if (!Enum.IsDefined(consent.State))
        {
            throw new MemoryValidationException("state", $"unknown consent state {(int)consent.State}; use granted or revoked");
        }

        if (string.IsNullOrWhiteSpace(consent.Purpose))
        {
            throw new MemoryValidationException("purpose", "is required: say what the subject consents to (\"personalization\", \"support history\")");
        }

        if (consent.Purpose.Length > MaxPurposeLength || consent.Purpose.Any(char.IsControl))
        {
            throw new MemoryValidationException("purpose", $"must be at most {MaxPurposeLength} characters without control characters");
        }

        MemoryRequestValidator.Actor(consent.ChangedBy);
        MemoryRequestValidator.Reason(consent.Reason, required: false);
        if (consent.ChangedAt == default)
        {
            throw new MemoryValidationException("changed_at", "is required: set it to when the subject decided");
        }

        if (consent.ExpiresAt is { } expires)
        {
            if (consent.State == MemoryConsentState.Revoked)
            {
                throw new MemoryValidationException("expires_at", "only a grant expires; leave it unset when revoking");
            }

            if (expires <= now)
            {
                throw new MemoryValidationException("expires_at", $"must be after now ({MemoryEventChain.FormatTimestamp(now)}); it is {MemoryEventChain.FormatTimestamp(expires)}");
            }

            if (expires <= consent.ChangedAt)
            {
                throw new MemoryValidationException("expires_at", "must be after changed_at");
            }
        }

        return consent with
        {
            ChangedAt = MemoryEventChain.TruncateToMicroseconds(consent.ChangedAt.ToUniversalTime()),
            ExpiresAt = consent.ExpiresAt is { } at ? MemoryEventChain.TruncateToMicroseconds(at.ToUniversalTime()) : null,
        };
    }

    /// <summary>Checks the key of a consent lookup.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="subject">The subject, when the lookup names one.</param>
    /// <param name="subjectRequired">Whether the subject is required.</param>
    public static void ConsentKey(string tenant, string? subject, bool subjectRequired)
    {
        MemoryRequestValidator.Tenant(tenant);
        if (subjectRequired || subject is not null)
        {
            MemoryRequestValidator.Subject(subject);
        }
    }

    /// <summary>Checks a scope kind argument.</summary>
    /// <param name="scope">The scope kind.</param>
    public static void ScopeKind(MemoryScopeKind scope)
    {
        if (!Enum.IsDefined(scope))
        {
            throw new MemoryValidationException("scope", $"unknown scope kind {(int)scope}; use one of {string.Join(", ", MemoryJson.EnumNamesOf<MemoryScopeKind>())}");
        }
    }

    /// <summary>Checks a hold to place and returns it with its time in the stores' precision.</summary>
    /// <param name="hold">The hold.</param>
    /// <returns>The hold to store.</returns>
    public static MemoryLegalHold Hold(MemoryLegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        MemoryRequestValidator.Tenant(hold.Tenant);
        HoldId(hold.Id);
        if ((hold.Subject is null) == (hold.MemoryId is null))
        {
            throw new MemoryValidationException("subject", "name exactly one of subject (hold all of a subject's memories) or memory_id (hold one memory)");
        }

        if (hold.Subject is not null)
        {
            MemoryRequestValidator.Subject(hold.Subject);
        }

        if (hold.MemoryId == Guid.Empty)
        {
            throw new MemoryValidationException("memory_id", "must not be the empty id");
        }

        if (string.IsNullOrWhiteSpace(hold.Reason))
        {
            throw new MemoryValidationException("reason", "is required: say why (a matter number, a regulator's request)");
        }

        MemoryRequestValidator.Reason(hold.Reason, required: true);
        MemoryRequestValidator.Actor(hold.PlacedBy);
        if (hold.PlacedAt == default)
        {
            throw new MemoryValidationException("placed_at", "is required");
        }

        if (hold.ReleasedAt is not null || hold.ReleasedBy is not null)
        {
            throw new MemoryValidationException("released_at", "a new hold is active: leave released_at and released_by unset, and release it later");
        }

        return hold with { PlacedAt = MemoryEventChain.TruncateToMicroseconds(hold.PlacedAt.ToUniversalTime()) };
    }

    /// <summary>Checks a hold id.</summary>
    /// <param name="id">The id.</param>
    public static void HoldId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new MemoryValidationException("id", "is required and must not be blank (a matter number, a ticket id)");
        }

        if (id.Length > MaxHoldIdLength || id.Any(char.IsControl))
        {
            throw new MemoryValidationException("id", $"must be at most {MaxHoldIdLength} characters without control characters");
        }
    }

    /// <summary>The error for a hold id taken in the tenant.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The id.</param>
    /// <returns>The exception.</returns>
    public static MemoryException HoldExists(string tenant, string id) =>
        new(MemoryErrorCode.DuplicateContent, $"Legal hold '{id}' already exists in tenant '{tenant}'; choose another id (ids are never reused, even after release).");

    /// <summary>The error for a hold the tenant does not have.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The id.</param>
    /// <returns>The exception.</returns>
    public static MemoryException HoldNotFound(string tenant, string id) =>
        new(MemoryErrorCode.NotFound, $"Legal hold '{id}' was not found in tenant '{tenant}'; list the tenant's holds to find its id.");

    /// <summary>The error for releasing a hold twice.</summary>
    /// <param name="hold">The released hold.</param>
    /// <returns>The exception.</returns>
    public static MemoryException HoldAlreadyReleased(MemoryLegalHold hold) =>
        new(
            MemoryErrorCode.InvalidState,
            $"Legal hold '{hold.Id}' in tenant '{hold.Tenant}' was already released at {MemoryEventChain.FormatTimestamp(hold.ReleasedAt!.Value)} by {hold.ReleasedBy}; nothing to release. Place a new hold with another id to hold the memories again.");
}
