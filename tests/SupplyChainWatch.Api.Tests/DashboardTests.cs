using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using SupplyChainWatch.Api.Dashboard;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Who reaches the dashboard and how: sign-in, antiforgery, roles, headers, and that its cookie is not an API credential.</summary>
public sealed partial class DashboardTests : IDisposable
{
    private readonly ServiceFactory _factory = new() { Settings = { ["Dashboard:DevelopmentSignIn"] = "true" } };

    public void Dispose() => _factory.Dispose();

    /// <summary>A cookie-keeping client without redirects; <paramref name="withBearer"/> keeps the test token a factory client carries.</summary>
    private HttpClient Browser(bool withBearer = false)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (!withBearer)
        {
            // Browsers send cookies, not bearer tokens.
            client.DefaultRequestHeaders.Authorization = null;
        }

        return client;
    }

    [Fact]
    public async Task Pages_send_an_anonymous_visitor_to_sign_in_and_a_bearer_token_does_not_open_them()
    {
        // A bearer token with every role: the dashboard ignores it.
        using var browser = Browser(withBearer: true);
        foreach (var path in new[] { "/dashboard", "/dashboard/suppliers", "/dashboard/suppliers/x", "/dashboard/escalations", "/dashboard/grievances" })
        {
            using var answer = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.StartsWith("http://localhost/dashboard/sign-in?ReturnUrl=", answer.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        using var circuit = await browser.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        Assert.NotEqual(HttpStatusCode.OK, circuit.StatusCode);
        using var root = await browser.GetAsync("/");
        Assert.Equal("/dashboard", root.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Sign_in_needs_the_antiforgery_token_and_known_roles()
    {
        using var browser = Browser();
        using var noToken = await browser.PostAsync(DashboardSetup.DevelopmentSignInPath, Form(("Name", "eve"), ("Roles", "compliance")));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.DoesNotContain(noToken.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("scw.dashboard=", StringComparison.Ordinal)));

        var token = await AntiforgeryTokenAsync(browser);
        using var unknown = await browser.PostAsync(DashboardSetup.DevelopmentSignInPath, Form(("__RequestVerificationToken", token), ("Roles", "root")));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("roles", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var none = await browser.PostAsync(DashboardSetup.DevelopmentSignInPath, Form(("__RequestVerificationToken", token)));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_browser_sees_the_pages_its_roles_admit_and_its_cookie_opens_no_API_call()
    {
        using var browser = Browser();
        await SignInAsync(browser, "compliance", "/dashboard/suppliers");

        using var suppliers = await browser.GetAsync("/dashboard/suppliers");
        Assert.Equal(HttpStatusCode.OK, suppliers.StatusCode);
        var csp = suppliers.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(SecurityHeadersMiddleware.DashboardPolicy, csp);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", suppliers.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", suppliers.Headers.GetValues("X-Content-Type-Options").Single());

        // Compliance is no grievance handler: the pipeline sends it to the denied page.
        using var pipeline = await browser.GetAsync("/dashboard/grievances");
        Assert.Equal(HttpStatusCode.Redirect, pipeline.StatusCode);
        Assert.Contains(DashboardSetup.DeniedPath, pipeline.Headers.Location?.ToString(), StringComparison.Ordinal);

        // The JSON API keeps its bearer scheme: the dashboard cookie is no credential there.
        using var api = await browser.GetAsync("/api/v1/suppliers");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/suppliers?x=1", "/dashboard/suppliers?x=1")]
    [InlineData("//evil.example/", "/dashboard")]
    [InlineData("/\\evil.example/", "/dashboard")]
    [InlineData("https://evil.example/", "/dashboard")]
    [InlineData(null, "/dashboard")]
    public void Sign_in_returns_only_to_this_site(string? returnUrl, string expected) => Assert.Equal(expected, DashboardSetup.LocalReturnUrl(returnUrl));

    [Fact]
    public async Task Sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site()
    {
        using var browser = Browser();
        var token = await AntiforgeryTokenAsync(browser);
        using var answer = await browser.PostAsync(DashboardSetup.DevelopmentSignInPath,
            Form(("__RequestVerificationToken", token), ("Roles", "compliance"), ("ReturnUrl", "//evil.example/")));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/dashboard", answer.Headers.Location?.ToString());
    }

    private static async Task SignInAsync(HttpClient browser, string role, string returnUrl)
    {
        var token = await AntiforgeryTokenAsync(browser);
        using var answer = await browser.PostAsync(DashboardSetup.DevelopmentSignInPath,
            Form(("__RequestVerificationToken", token), ("Name", "tester"), ("Roles", role), ("ReturnUrl", returnUrl)));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal(returnUrl, answer.Headers.Location?.ToString());
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient browser)
    {
        var page = await browser.GetStringAsync(new Uri(DashboardSetup.SignInPath, UriKind.Relative));
        return TokenField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("The sign-in form has no antiforgery token.");
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
