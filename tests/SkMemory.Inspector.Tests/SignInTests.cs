using System.Net;

namespace SkMemory.Inspector.Tests;

/// <summary>Sign-in with an API key, the session cookie, sign-out, and pages that need a session.</summary>
public sealed class SignInTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>
{
    [Fact]
    public async Task Signed_out_requests_redirect_to_sign_in()
    {
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        foreach (var path in new[] { "/inspector/", "/inspector/memories/" + Guid.NewGuid(), "/inspector/subjects/ana", "/inspector/subjects/ana/export.jsonl" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/inspector/signin?returnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        var (status, html) = await client.PageAsync("/inspector/signin");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-testid=\"signin-form\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_key_signs_in_with_a_strict_http_only_cookie_and_sign_out_ends_it()
    {
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        using var response = await client.SignInAsync(fixture.AnaSecret);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/inspector/", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("skm_inspector=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/inspector", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fixture.AnaSecret, cookie, StringComparison.Ordinal);

        var (status, html) = await client.PageAsync("/inspector/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("user:ana · tenant acme", html, StringComparison.Ordinal);

        using var signOut = await client.PostAsync("/inspector/signout", "/inspector/");
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        using var after = await client.GetAsync("/inspector/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Sign_in_returns_to_the_page_asked_for_but_never_off_the_inspector()
    {
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        using var back = await client.PostAsync("/inspector/signin", "/inspector/signin", ("key", fixture.AnaSecret), ("returnUrl", "/inspector/subjects/ana"));
        Assert.Equal("/inspector/subjects/ana", back.Headers.Location!.OriginalString);
        foreach (var evil in new[] { "https://evil.example/", "//evil.example/inspector/", "/elsewhere", "/inspector/\\evil" })
        {
            using var other = new InspectorClient(fixture.Server.BaseAddress);
            using var response = await other.PostAsync("/inspector/signin", "/inspector/signin", ("key", fixture.AnaSecret), ("returnUrl", evil));
            Assert.Equal("/inspector/", response.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task A_bad_key_is_refused_with_a_friendly_message()
    {
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        using var response = await client.SignInAsync("skm_nope_notasecret");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(InspectorClient.Token);
        Assert.Contains("data-testid=\"signin-error\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("skm_nope_notasecret", html, StringComparison.Ordinal);
        using var browse = await client.GetAsync("/inspector/");
        Assert.Equal(HttpStatusCode.Redirect, browse.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_cannot_sign_in_and_revoking_ends_a_live_session()
    {
        var secret = await fixture.CreateKeyAsync("acme", MemoryActor.User("rev"));
        var keyId = secret.Split('_')[1];
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        using (var ok = await client.SignInAsync(secret))
        {
            Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PageAsync("/inspector/")).Status);
        Assert.True(await fixture.Keys.RevokeAsync(keyId, InspectorClient.Token));

        using var revoked = await client.GetAsync("/inspector/");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        using var again = await client.SignInAsync(secret);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Pages_carry_security_headers_and_the_embedded_assets_are_served()
    {
        using var client = new InspectorClient(fixture.Server.BaseAddress);
        using var page = await client.GetAsync("/inspector/signin");
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        using var css = await client.GetAsync("/inspector/assets/inspector.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Contains("@media (max-width: 640px)", await css.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
        using var js = await client.GetAsync("/inspector/assets/inspector.js");
        Assert.Contains("toLocaleString", await js.Content.ReadAsStringAsync(InspectorClient.Token), StringComparison.Ordinal);
    }
}
