using Microsoft.Extensions.Logging;

namespace SkMemory.Tests.Retrieval;

/// <summary>One entry kept by <see cref="RecordingLoggerFactory"/>.</summary>
/// <param name="Category">The logger category.</param>
/// <param name="Level">The level.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception, if any.</param>
internal sealed record RecordedLog(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);
