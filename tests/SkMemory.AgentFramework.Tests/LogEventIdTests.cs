using System.Reflection;
using Microsoft.Extensions.Logging;

namespace SkMemory.AgentFramework.Tests;

/// <summary>The package's log event ids are its own (851-899) and each names one message.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Each_log_message_has_its_own_event_id_in_the_packages_range()
    {
        var ids = typeof(SkMemoryContextProvider).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>()?.EventId)
            .OfType<int>()
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 851, 899));
    }
}
