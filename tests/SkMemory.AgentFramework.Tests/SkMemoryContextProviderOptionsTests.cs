using Microsoft.Agents.AI;
using SkMemory.Context;

namespace SkMemory.AgentFramework.Tests;

/// <summary>Options are checked when the provider is created, with errors that name the option and say what to set.</summary>
public sealed class SkMemoryContextProviderOptionsTests : IAsyncLifetime
{
    private MemoryHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await MemoryHost.OpenAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public void Arguments_are_required()
    {
        Assert.Throws<ArgumentNullException>("store", () => new SkMemoryContextProvider(null!, MemoryHost.Options()));
        Assert.Throws<ArgumentNullException>("options", () => new SkMemoryContextProvider(_host.Store, null!));
    }

    [Fact]
    public void A_missing_search_scope_is_refused_naming_it()
    {
        var options = MemoryHost.Options();
        options.Search = null;
        var error = Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options));
        Assert.Equal("Search", error.ParamName);
        Assert.Contains("AgentMemorySearchScope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_subject_is_refused_naming_it()
    {
        var options = MemoryHost.Options();
        options.Search = new AgentMemorySearchScope { Tenant = MemoryHost.Tenant, Subject = " " };
        Assert.Equal("Search.Subject", Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options)).ParamName);

        options = MemoryHost.Options();
        options.Storage = new AgentMemoryStorageScope { Tenant = "", Subject = "ada" };
        Assert.Equal("Storage.Tenant", Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options, _host.Capture)).ParamName);
    }

    [Fact]
    public void A_storage_scope_is_required_only_with_capture()
    {
        var options = MemoryHost.Options();
        options.Storage = null;
        _ = new SkMemoryContextProvider(_host.Store, options);
        var error = Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options, _host.Capture));
        Assert.Equal("Storage", error.ParamName);
    }

    [Fact]
    public void Scope_settings_in_the_wrong_place_are_refused()
    {
        var options = MemoryHost.Options();
        options.Storage = options.Storage! with { Scope = MemoryScope.Personal with { Session = "s1" } };
        Assert.Contains("NarrowToSession", Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options, _host.Capture)).Message, StringComparison.Ordinal);

        options = MemoryHost.Options();
        options.Context = new MemoryContextOptions { ScopeKinds = [MemoryScopeKind.Public] };
        Assert.Contains("Search.ScopeKinds", Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options)).Message, StringComparison.Ordinal);

        options = MemoryHost.Options();
        options.Search = options.Search! with { ScopeKinds = [] };
        Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options));

        options = MemoryHost.Options();
        options.Context = new MemoryContextOptions { TokenBudget = 1 };
        Assert.Contains("TokenBudget", Assert.Throws<ArgumentException>(() => new SkMemoryContextProvider(_host.Store, options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSkMemory_adds_the_provider_once()
    {
        var provider = new SkMemoryContextProvider(_host.Store, MemoryHost.Options());
        var options = new ChatClientAgentOptions().AddSkMemory(provider);
        Assert.Same(provider, Assert.Single(options.AIContextProviders!));
        Assert.Throws<InvalidOperationException>(() => options.AddSkMemory(provider));
        Assert.Throws<InvalidOperationException>(() => options.AddSkMemory(new SkMemoryContextProvider(_host.Store, MemoryHost.Options("bob"))));

        var second = MemoryHost.Options("bob");
        second.StateKey = "SkMemory.bob";
        options.AddSkMemory(new SkMemoryContextProvider(_host.Store, second));
        Assert.Equal(2, options.AIContextProviders!.Count());
    }
}
