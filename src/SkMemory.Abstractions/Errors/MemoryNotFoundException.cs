namespace SkMemory;

/// <summary>The memory does not exist in the tenant.</summary>
public sealed class MemoryNotFoundException : MemoryException
{
    /// <summary>Initializes a new instance of the <see cref="MemoryNotFoundException"/> class.</summary>
    /// <param name="tenant">The tenant searched.</param>
    /// <param name="id">The id not found.</param>
    public MemoryNotFoundException(string tenant, Guid id)
        : base(MemoryErrorCode.NotFound, $"Memory {id} was not found in tenant '{tenant}'.")
    {
        Tenant = tenant;
        Id = id;
    }

    /// <summary>Gets the tenant searched.</summary>
    public string Tenant { get; }

    /// <summary>Gets the id not found.</summary>
    public Guid Id { get; }
}
