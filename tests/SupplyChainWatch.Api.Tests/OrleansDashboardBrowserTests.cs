using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SupplyChainWatch.Api.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Orleans' dashboard in a real headless chromium, opened with the browser dashboard's sign-in (no bearer token, no
/// header-injecting proxy): an admin sees it render, every other role is refused with a reason.
/// </summary>
public sealed class OrleansDashboardBrowserTests : IAsyncLifetime
{
    private const string OrleansPage = "/admin/orleans/index.html";

    private DashboardHost? _host;

    private DashboardHost Host => _host ?? throw new InvalidOperationException("The host starts in InitializeAsync.");

    public async Task InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_admin_signed_in_to_the_dashboard_sees_the_Orleans_dashboard_render_and_compliance_is_refused_with_a_reason()
    {
        // An anonymous browser asking for the page goes to the sign-in, which comes back to it.
        var admin = await Host.NewPageAsync();
        await admin.GotoAsync(OrleansPage);
        await DashboardHost.SubmitSignInAsync(admin, "admin");
        await admin.WaitForURLAsync(Host.BaseUrl + OrleansPage);

        // The dashboard's script fetched the cluster's counters with the cookie alone and drew this one silo.
        var silos = admin.Locator(".info-box", new() { HasText = "Active Silos" }).Locator(".info-box-number");
        await Expect(silos).ToHaveTextAsync("1", new() { Timeout = 60_000 });
        await Expect(admin.Locator(".info-box", new() { HasText = "Total Activations" }).Locator(".info-box-number")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));
        await Host.ScreenshotAsync(admin, "orleans-dashboard");

        // The browser dashboard links to it for admins; the link loads it in full (it is no Blazor page).
        await admin.GotoAsync("/dashboard");
        await DashboardHost.WaitForCircuitAsync(admin);
        await admin.GetByTestId("orleans-dashboard-link").ClickAsync();
        await admin.WaitForURLAsync(Host.BaseUrl + OrleansPage);
        await Expect(silos).ToHaveTextAsync("1", new() { Timeout = 60_000 });

        // Compliance is signed in but not an operator: no link, and the page is refused with the role it needs.
        var compliance = await Host.SignInAsync("compliance");
        await Expect(compliance.GetByTestId("orleans-dashboard-link")).ToHaveCountAsync(0);
        var refused = await compliance.GotoAsync(OrleansPage);
        Assert.NotNull(refused);
        Assert.Equal((int)HttpStatusCode.Forbidden, refused.Status);
        var problem = JsonNode.Parse(await refused.TextAsync())!;
        Assert.Equal(403, problem["status"]!.GetValue<int>());
        Assert.Contains("admin", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["admin"], problem["requiredRoles"]!.AsArray().Select(r => r!.GetValue<string>()));
        await Expect(compliance.Locator(".info-box")).ToHaveCountAsync(0);

        // The page rendered under the service's content security policy without a violation.
        var console = Host.ConsoleMessages();
        Assert.False(console.Any(m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)), string.Join("\n", console));
    }
}
