using System.Text.Json.Serialization;

namespace SkMemory;

/// <summary>Why the access policy refused an operation.</summary>
public enum MemoryAccessDenialReason
{
    /// <summary>No caller was set for the operation.</summary>
    [JsonStringEnumMemberName("no_caller")]
    NoCaller,

    /// <summary>The operation names a tenant other than the caller's.</summary>
    [JsonStringEnumMemberName("cross_tenant")]
    CrossTenant,

    /// <summary>A personal memory of a subject the caller does not act for.</summary>
    [JsonStringEnumMemberName("not_subject")]
    NotSubject,

    /// <summary>A team memory of a team the caller is not a member of.</summary>
    [JsonStringEnumMemberName("not_team_member")]
    NotTeamMember,

    /// <summary>The operation needs a role the caller lacks.</summary>
    [JsonStringEnumMemberName("missing_role")]
    MissingRole,

    /// <summary>The write needs the subject's consent and none is granted.</summary>
    [JsonStringEnumMemberName("consent_missing")]
    ConsentMissing,

    /// <summary>The subject revoked consent, or it expired.</summary>
    [JsonStringEnumMemberName("consent_revoked")]
    ConsentRevoked,
}
