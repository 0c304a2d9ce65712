using SkMemory.Tests;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SkMemory.Mem0.Tests.Client;

/// <summary>Mem0's many error body shapes, status mapping, Retry-After parsing and the DI registration.</summary>
public sealed class Mem0ErrorFactoryTests
{
    [Theory]
    [InlineData("""{"detail":"Invalid API key."}""", "Invalid API key.")]
    [InlineData("""{"error":"Memory not found!"}""", "Memory not found!")]
    [InlineData("""{"message":"At least one of the filters is required!"}""", "At least one of the filters is required!")]
    [InlineData("""{"error":"400 Bad Request","details":{"message":"Invalid input data."}}""", "400 Bad Request: Invalid input data.")]
    [InlineData("""["One of the filters: app_id, user_id, agent_id, run_id is required!"]""", "One of the filters: app_id, user_id, agent_id, run_id is required!")]
    [InlineData("""{"detail":[{"loc":["query","top_k"],"msg":"too big"},{"loc":["body"],"msg":"missing"}]}""", "too big (at query.top_k); missing (at body)")]
    [InlineData("<html>Bad Gateway</html>", "<html>Bad Gateway</html>")]
    [InlineData("", "Service Unavailable")]
    public void Mem0s_message_is_extracted_from_every_body_shape(string body, string expected) =>
        Assert.Equal(expected, Mem0ErrorFactory.ExtractMessage(body, "Service Unavailable"));

    [Theory]
    [InlineData(400, MemoryErrorCode.Validation)]
    [InlineData(409, MemoryErrorCode.Validation)]
    [InlineData(413, MemoryErrorCode.Validation)]
    [InlineData(422, MemoryErrorCode.Validation)]
    [InlineData(401, MemoryErrorCode.AccessDenied)]
    [InlineData(403, MemoryErrorCode.AccessDenied)]
    [InlineData(404, MemoryErrorCode.NotFound)]
    [InlineData(408, MemoryErrorCode.Unavailable)]
    [InlineData(429, MemoryErrorCode.Unavailable)]
    [InlineData(502, MemoryErrorCode.Unavailable)]
    public void Statuses_map_to_the_contracts_codes(int status, MemoryErrorCode expected) =>
        Assert.Equal(expected, Mem0ErrorFactory.Classify((HttpStatusCode)status));

    [Fact]
    public void Retry_After_is_read_as_seconds_or_a_date_and_capped()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(now);
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.TryAddWithoutValidation("Retry-After", "3");
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(5));
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(TimeSpan.FromSeconds(3), Mem0ResilienceHandler.RetryAfter(seconds, clock, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(5), Mem0ResilienceHandler.RetryAfter(date, clock, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(2), Mem0ResilienceHandler.RetryAfter(seconds, clock, TimeSpan.FromSeconds(2)));
        Assert.Null(Mem0ResilienceHandler.RetryAfter(none, clock, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AddMem0Client_registers_a_singleton_and_validates_the_options()
    {
        var services = new ServiceCollection();
        services.AddMem0Client(o =>
        {
            o.BaseAddress = new Uri("http://localhost:8888");
            o.Flavor = Mem0ApiFlavor.OpenSource;
        });
        using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<Mem0Client>();
            Assert.Same(client, provider.GetRequiredService<Mem0Client>());
            Assert.Equal(Mem0ApiFlavor.OpenSource, client.Flavor);
        }

        var bad = new ServiceCollection();
        bad.AddMem0Client(o => o.BaseAddress = new Uri("http://localhost:8888"));
        using var badProvider = bad.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<Mem0ClientOptions>>().Value);
        Assert.Contains("MEM0_API_KEY", ex.Message, StringComparison.Ordinal);
    }
}
