namespace SkMemory;

/// <summary>The roles the access policy knows. Map an identity provider's role names to these at the edge.</summary>
public static class MemoryRoles
{
    /// <summary>Everything within the caller's tenant: every subject, team and operation. Implies every other role.</summary>
    public const string Admin = "memory.admin";

    /// <summary>Reads every memory of the tenant (an auditor, the Inspector's operator view); grants no writes.</summary>
    public const string ReadAll = "memory.read_all";

    /// <summary>Writes into a team scope the caller is a member of.</summary>
    public const string TeamWriter = "memory.team_writer";

    /// <summary>Writes into the tenant-wide public scope.</summary>
    public const string PublicWriter = "memory.public_writer";

    /// <summary>Reveals tokenized values from the vault (every reveal is audited).</summary>
    public const string VaultReveal = "memory.vault_reveal";

    /// <summary>Reads the audit log and lineage of memories the caller can read.</summary>
    public const string Auditor = "memory.auditor";

    /// <summary>Exports the whole tenant and purges by policy (the sweeper).</summary>
    public const string Operator = "memory.operator";

    /// <summary>
    /// The holder of the database's credentials (an operator at the <c>skmem</c> prompt, a migration job): acts in every
    /// tenant, and alone may export, verify or import several tenants at once. Not implied by <see cref="Admin"/>, which
    /// stays within its tenant; still audited like everyone.
    /// </summary>
    public const string StoreOwner = "memory.store_owner";
}
