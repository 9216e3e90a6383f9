using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Orleans' own dashboard, served by the host at /admin/orleans: admin role only, every endpoint of it.</summary>
public sealed class OrleansDashboardTests : IAsyncLifetime
{
    private readonly ServiceFactory _factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task The_page_and_its_data_answer_admin_200_anonymous_401_and_every_other_role_403()
    {
        using var admin = _factory.CreateClient(["admin"]);
        using var page = await admin.GetAsync(new Uri("/admin/orleans/index.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        // The bare prefix sends the browser on to the page (a redirect drops the Authorization header, so it is not followed here).
        using var noRedirects = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        noRedirects.DefaultRequestHeaders.Authorization = TestTokens.Bearer("admin");
        using var root = await noRedirects.GetAsync(new Uri("/admin/orleans", UriKind.Relative));
        Assert.True(root.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect, $"{(int)root.StatusCode}");
        Assert.True(root.StatusCode == HttpStatusCode.OK || root.Headers.Location?.OriginalString.Contains("/admin/orleans", StringComparison.Ordinal) == true, $"{root.Headers.Location}");
        // The dashboard samples the cluster on its own timer, so a busy machine may answer before its first sample.
        var counters = await ApiCalls.EventuallyAsync(
            async () => (await admin.GetJsonAsync("/admin/orleans/DashboardCounters")).Expect(HttpStatusCode.OK),
            c => c["totalActiveHostCount"]!.GetValue<int>() >= 1,
            TimeSpan.FromSeconds(60));
        Assert.True(counters["totalActiveHostCount"]!.GetValue<int>() >= 1, counters.ToJsonString());

        foreach (var url in new[] { "/admin/orleans", "/admin/orleans/index.html", "/admin/orleans/DashboardCounters" })
        {
            using var anonymous = _factory.CreateClient([]);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(url, UriKind.Relative))).StatusCode);
            foreach (var role in SupplyChainWatch.Api.Hosting.Roles.All.Where(r => r != "admin"))
            {
                using var other = _factory.CreateClient([role]);
                Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(new Uri(url, UriKind.Relative))).StatusCode);
            }
        }
    }

    [Fact]
    public async Task Every_dashboard_endpoint_refuses_anonymous_and_non_admin_callers_and_the_grain_state_view_is_off()
    {
        using var warmUp = _factory.CreateClient([]);
        (await warmUp.GetJsonAsync("/health/live")).Expect(HttpStatusCode.OK);
        var urls = _factory.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(p => p.StartsWith(EndpointCatalog.OrleansDashboardPrefix, StringComparison.Ordinal))
            .Select(p => System.Text.RegularExpressions.Regex.Replace(p, @"\{[^}]+\}", "1"))
            .ToList();
        Assert.True(urls.Count >= 20, string.Join(", ", urls));

        var failures = new List<string>();
        foreach (var url in urls)
        {
            using var anonymous = _factory.CreateClient([]);
            using var none = await anonymous.GetAsync(new Uri(url, UriKind.Relative));
            if (none.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{url} anonymous: {(int)none.StatusCode}");
            }

            using var compliance = _factory.CreateClient(["compliance", "auditor", "grievance-handler", "recruitment-monitor", "ngo", "case-officer"]);
            using var other = await compliance.GetAsync(new Uri(url, UriKind.Relative));
            if (other.StatusCode != HttpStatusCode.Forbidden)
            {
                failures.Add($"{url} every role but admin: {(int)other.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The grain-state view would hand evidence rows to the admin role: it answers 404 with the reason.
        using var admin = _factory.CreateClient(["admin"]);
        var grainState = (await admin.GetJsonAsync("/admin/orleans/GrainState?grainId=sup/sup:x&grainType=SupplyChainWatch.Grains.Subjects.SupplierGrain"))
            .Expect(HttpStatusCode.NotFound);
        Assert.Contains("disabled", grainState["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_anonymous_browser_is_sent_to_the_sign_in_and_a_script_gets_401_naming_both_ways_in()
    {
        using var browser = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.Authorization = null;
        using (var navigation = new HttpRequestMessage(HttpMethod.Get, "/admin/orleans/index.html"))
        {
            navigation.Headers.Add("Sec-Fetch-Mode", "navigate");
            navigation.Headers.Accept.ParseAdd("text/html");
            using var answer = await browser.SendAsync(navigation);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.Equal("/dashboard/sign-in?ReturnUrl=%2Fadmin%2Forleans%2Findex.html", answer.Headers.Location?.PathAndQuery);
        }

        // The page's own script (and curl) asks for data: no redirect, a 401 that says how to get in.
        using (var fetch = new HttpRequestMessage(HttpMethod.Get, "/admin/orleans/DashboardCounters"))
        {
            fetch.Headers.Add("Sec-Fetch-Mode", "cors");
            using var answer = await browser.SendAsync(fetch);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            var detail = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
            Assert.Contains("Bearer", detail, StringComparison.Ordinal);
            Assert.Contains("/dashboard/sign-in", detail, StringComparison.Ordinal);
        }

        // A browser sending a bad bearer token is answered as a token client: the token's problem, no redirect.
        using (var badToken = new HttpRequestMessage(HttpMethod.Get, "/admin/orleans/index.html"))
        {
            badToken.Headers.Add("Sec-Fetch-Mode", "navigate");
            badToken.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-jwt");
            using var answer = await browser.SendAsync(badToken);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }
    }

    [Fact]
    public async Task Every_dashboard_endpoint_is_a_read_so_the_sign_in_cookie_admits_no_cross_site_write()
    {
        using var warmUp = _factory.CreateClient([]);
        (await warmUp.GetJsonAsync("/health/live")).Expect(HttpStatusCode.OK);
        var endpoints = _factory.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(EndpointCatalog.OrleansDashboardPrefix, StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(endpoints.Count >= 20, endpoints.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var writes = endpoints
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>() is not { } methods
                || methods.HttpMethods.Any(m => m is not ("GET" or "HEAD")))
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.True(writes.Count == 0, "admit more than GET: " + string.Join(", ", writes));
    }
}
