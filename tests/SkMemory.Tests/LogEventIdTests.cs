using System.Reflection;
using Microsoft.Extensions.Logging;
using SkMemory.Capture;

namespace SkMemory.Tests;

/// <summary>Log event ids identify one message each within a package, so a filter or an alert on an id means one thing.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Each_log_message_of_the_package_has_its_own_event_id()
    {
        var messages = typeof(MemoryCapturePipeline).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        var shared = messages
            .GroupBy(x => x.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Method.DeclaringType!.Name + "." + x.Method.Name))}")
            .ToList();
        Assert.Empty(shared);
    }
}
