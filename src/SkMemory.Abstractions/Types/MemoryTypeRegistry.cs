using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace SkMemory;

/// <summary>
/// The memory types a store accepts: the seven built-ins plus custom types registered in code.
/// </summary>
/// <remarks>Thread-safe. Register custom types at start-up, before writes that use them.</remarks>
public sealed class MemoryTypeRegistry
{
    private readonly ConcurrentDictionary<string, MemoryTypeDefinition> _types = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="MemoryTypeRegistry"/> class with the built-in types.</summary>
    public MemoryTypeRegistry()
    {
        AddBuiltIn(new(MemoryTypes.Preference, "A like, dislike or choice of the subject."));
        AddBuiltIn(new(MemoryTypes.Identifier, "An identifier of the subject: handle, account, id."));
        AddBuiltIn(new(MemoryTypes.Asset, "Something the subject owns or uses."));
        AddBuiltIn(new(MemoryTypes.Skill, "Something the subject can do."));
        AddBuiltIn(new(MemoryTypes.Constraint, "A rule or limit to respect when acting for the subject."));
        AddBuiltIn(new(MemoryTypes.Fact, "A durable fact about the subject."));
        AddBuiltIn(new(MemoryTypes.Event, "Something that happened to or was done by the subject, at a time."));
    }

    /// <summary>Gets the registered types.</summary>
    public IReadOnlyCollection<MemoryTypeDefinition> Types => _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <summary>Registers a custom type, replacing a custom type of the same name. Built-in types cannot be replaced.</summary>
    /// <param name="definition">The type.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="definition"/> names a built-in type.</exception>
    public MemoryTypeRegistry Register(MemoryTypeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (MemoryTypes.BuiltIn.Contains(definition.Name))
        {
            throw new ArgumentException($"\"{definition.Name}\" is a built-in memory type and cannot be replaced; register the custom type under another name.", nameof(definition));
        }

        _types[definition.Name] = definition;
        return this;
    }

    /// <summary>Looks a type up by name.</summary>
    /// <param name="name">The type name.</param>
    /// <param name="definition">The type, when found.</param>
    /// <returns>Whether the type is registered.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out MemoryTypeDefinition? definition)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _types.TryGetValue(name, out definition);
    }

    private void AddBuiltIn(MemoryTypeDefinition definition) => _types[definition.Name] = definition;
}
