using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using SupplyChainWatch.Api.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// The dashboard in a real headless chromium: what a compliance officer and a grievance handler see, that a signal
/// arrives on an open page without reload, and that no grievance narrative or contact reaches a compliance browser.
/// </summary>
/// <remarks>
/// Measured alone: one test holds a signal to the 2 s in which it must show on an open page, and on two cores the
/// suite's other tests (PostgreSQL servers, cluster kills, load tests) would decide that figure instead of the service.
/// </remarks>
[Collection(MeasuredAloneCollection.Name)]
public sealed class DashboardBrowserTests : IAsyncLifetime
{
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
    public async Task Compliance_finds_a_supplier_by_filter_sees_its_explained_score_and_a_new_signal_arrives_without_reload()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var target = $"dash-{tag}";
        using var admin = Host.Factory.CreateClient();
        // Two suppliers elsewhere that the filter must leave out, and the one it must find.
        (await admin.PutJsonAsync($"/api/v1/suppliers/other-{tag}-1", Samples.Supplier("MY", "apparel"))).Expect(HttpStatusCode.Created);
        (await admin.PutJsonAsync($"/api/v1/suppliers/other-{tag}-2", Samples.Supplier("BD", "apparel"))).Expect(HttpStatusCode.Created);
        (await admin.PutJsonAsync($"/api/v1/suppliers/{target}", Samples.Supplier("BD", "footwear"))).Expect(HttpStatusCode.Created);
        (await admin.PostJsonAsync("/api/v1/audits", Samples.Audit($"A-{tag}", target, null,
            Samples.Finding("F-1", "wages", "major", 40, "verified", "2026-12-31"),
            Samples.Finding("F-2", "documents", "critical", 20, "corroborated", null, "document-retention")))).Expect(HttpStatusCode.Created);
        (await admin.PostJsonAsync("/api/v1/audits", Samples.Audit($"A-{tag}-old", $"other-{tag}-1", null, Samples.Finding("F-1", "wages", "minor", 5)))).Expect(HttpStatusCode.Created);

        var page = await Host.SignInAsync("compliance");
        await Expect(page.GetByTestId("supplier-bands")).ToBeVisibleAsync();
        // The audited supplier moved from its profile-only score within the window.
        await Expect(page.GetByTestId("movers")).ToContainTextAsync($"sup:{target}");
        await Host.ScreenshotAsync(page, "dashboard-portfolio");

        await page.GotoAsync("/dashboard/suppliers");
        await DashboardHost.WaitForCircuitAsync(page);
        await page.GetByTestId("filter-country").FillAsync("BD");
        await page.GetByTestId("filter-country").PressAsync("Tab");
        await page.GetByTestId("filter-sector").ClickAsync();
        var option = page.GetByRole(AriaRole.Option, new() { Name = "footwear", Exact = true });
        await Expect(option).ToBeVisibleAsync();
        await option.ClickAsync();
        // A chosen MudSelect shows its value as text in place of the input.
        await Expect(page.GetByTestId("filter-sector")).ToHaveTextAsync("footwear");
        await page.GetByTestId("apply-filters").ClickAsync();
        var links = page.GetByTestId("subject-link");
        await Expect(links).ToHaveCountAsync(1);
        await Expect(links).ToHaveTextAsync(target);
        await Host.ScreenshotAsync(page, "dashboard-suppliers");

        await links.ClickAsync();
        await page.WaitForURLAsync($"{Host.BaseUrl}/dashboard/suppliers/{target}");
        var risk = (await admin.GetJsonAsync($"/api/v1/suppliers/{target}/risk")).Expect(HttpStatusCode.OK);
        var score = risk["score"]!.GetValue<int>();
        await Expect(page.GetByTestId("score")).ToHaveTextAsync(score.ToString(CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("band")).ToHaveTextAsync(risk["band"]!.GetValue<string>());
        await Expect(page.GetByTestId("classification")).ToHaveTextAsync(risk["forcedLabour"]!.GetValue<string>());
        await AssertTermsSumToAsync(page, score);
        await Expect(page.GetByTestId("explanation")).ToContainTextAsync($"A-{tag}/F-2");
        await Expect(page.GetByTestId("corrective-actions")).ToContainTextAsync($"A-{tag}/F-1");
        await Host.ScreenshotAsync(page, "dashboard-subject");

        // A signal over the REST API shows on the open page (its term in the explanation, the new score) within 2 s.
        using var auditor = Host.Factory.CreateClient(["auditor"]);
        (await auditor.PostJsonAsync("/api/v1/audits", Samples.Audit($"A-{tag}-live", target, null,
            Samples.Finding("F-9", "forced-labour", "critical", 60, "verified", null, "restriction-of-movement", "threat-violence-or-denunciation")))).Expect(HttpStatusCode.Created);
        var acknowledged = Stopwatch.StartNew();
        await Expect(page.GetByTestId("explanation")).ToContainTextAsync($"A-{tag}-live/F-9", new() { Timeout = 2000 });
        Assert.True(acknowledged.Elapsed < TimeSpan.FromSeconds(2), $"the new signal took {acknowledged.Elapsed} to appear");
        var after = (await admin.GetJsonAsync($"/api/v1/suppliers/{target}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
        Assert.NotEqual(score, after);
        await Expect(page.GetByTestId("score")).ToHaveTextAsync(after.ToString(CultureInfo.InvariantCulture), new() { Timeout = 2000 });
        await AssertTermsSumToAsync(page, after);

        // The history says what moved it: selecting the newest change names the signal.
        await page.GetByTestId("history").Locator("tbody tr").First.ClickAsync();
        await Expect(page.GetByTestId("history-causes")).ToContainTextAsync($"A-{tag}-live/F-9");
        await Host.ScreenshotAsync(page, "dashboard-subject-live");

        await page.GotoAsync("/dashboard/escalations");
        await DashboardHost.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("escalations")).ToContainTextAsync($"sup:{target}");
        await Host.ScreenshotAsync(page, "dashboard-escalations");

        await page.GotoAsync("/dashboard/recruiters");
        await DashboardHost.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("subject-table")).ToBeVisibleAsync();

        // A compliance officer is not a grievance handler: the pipeline is refused.
        await page.GotoAsync("/dashboard/grievances");
        Assert.Contains("/dashboard/denied", page.Url, StringComparison.Ordinal);

        // The content security policy held: the browser reported no violation while rendering all of this.
        Assert.DoesNotContain(Host.ConsoleMessages(), m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task No_grievance_narrative_or_contact_reaches_a_compliance_browser_or_the_event_stream()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var supplier = $"canary-{tag}";
        var recruiter = $"canary-rec-{tag}";
        var narrative = $"CANARYnarrative{Guid.NewGuid():N}";
        var contact = $"CANARYcontact{Guid.NewGuid():N}";
        using var admin = Host.Factory.CreateClient();
        (await admin.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier("MY", "electronics"))).Expect(HttpStatusCode.Created);
        (await admin.PutJsonAsync($"/api/v1/recruiters/{recruiter}", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        (await admin.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{recruiter}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);

        // The event stream as compliance, open before the grievance.
        using var stream = new EventStreamText(Host.Factory.CreateClient(["compliance"]));
        await stream.OpenAsync();

        var page = await Host.SignInAsync("compliance");
        await page.GotoAsync($"/dashboard/suppliers/{supplier}");
        await DashboardHost.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("score")).ToBeVisibleAsync();

        using var handler = Host.Factory.CreateClient(["grievance-handler"]);
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"G-{tag}", supplier, recruiter, "2026-11-02T08:15:00Z", narrative, contact,
            "debt-manipulation", "restriction-of-movement"))).Expect(HttpStatusCode.Created);

        // Barrier: the open page shows the grievance's own term, so everything the grievance caused has reached it.
        await Expect(page.GetByTestId("explanation")).ToContainTextAsync($"G-{tag}", new() { Timeout = 10_000 });
        // Barrier for the stream: a later change of another subject arrives after everything the grievance caused.
        (await admin.PostJsonAsync("/api/v1/audits", Samples.Audit($"M-{tag}", $"marker-{tag}", null, Samples.Finding("F-1", "wages", "major", 3)))).Expect(HttpStatusCode.Created);
        var streamed = await stream.ReadUntilAsync($"sup:marker-{tag}", TimeSpan.FromSeconds(15));
        Assert.Contains($"sup:{supplier}", streamed, StringComparison.Ordinal);

        var seen = new List<(string Where, string Text)> { ("event stream", streamed), ($"/dashboard/suppliers/{supplier}", await page.ContentAsync()) };
        foreach (var path in new[] { "/dashboard", "/dashboard/suppliers", $"/dashboard/recruiters/{recruiter}", "/dashboard/recruiters", "/dashboard/escalations" })
        {
            await page.GotoAsync(path);
            await DashboardHost.WaitForCircuitAsync(page);
            seen.Add((path, await page.ContentAsync()));
        }

        seen.Add(("circuit frames", Host.CircuitText()));
        // The check can fail: the recruiter page names the grievance (its evidence term), just never its text.
        Assert.Contains(seen, s => s.Text.Contains($"G-{tag}", StringComparison.Ordinal));
        foreach (var (where, text) in seen)
        {
            Assert.False(text.Contains(narrative, StringComparison.Ordinal), $"the narrative reached {where}");
            Assert.False(text.Contains(contact, StringComparison.Ordinal), $"the contact reached {where}");
        }
    }

    [Fact]
    public async Task A_grievance_handler_sees_the_pipeline_with_overdue_acknowledgements_and_no_risk_views()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var handler = Host.Factory.CreateClient(["grievance-handler"]);
        // The service's clock stands at 2026-11-20: received 2026-11-01 and never acknowledged is overdue (7 days).
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"G-late-{tag}", $"pipe-{tag}", null, "2026-11-01T09:00:00Z", null, null, "isolation"))).Expect(HttpStatusCode.Created);
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"G-ack-{tag}", $"pipe-{tag}", null, "2026-11-10T09:00:00Z", null, null, "isolation"))).Expect(HttpStatusCode.Created);
        (await handler.PostJsonAsync($"/api/v1/grievances/G-ack-{tag}/status", new { status = "acknowledged", on = "2026-11-11" })).Expect(HttpStatusCode.OK);

        var page = await Host.SignInAsync("grievance-handler");
        await page.GotoAsync("/dashboard/grievances");
        await DashboardHost.WaitForCircuitAsync(page);
        var counts = page.GetByTestId("pipeline-status");
        await Expect(counts.Filter(new() { HasText = "received" })).ToContainTextAsync("1");
        await Expect(counts.Filter(new() { HasText = "acknowledged" })).ToContainTextAsync("1");
        var overdue = page.GetByTestId("overdue-acknowledgements");
        await Expect(overdue).ToContainTextAsync($"G-late-{tag}");
        await Expect(overdue).ToContainTextAsync("2026-11-08");
        await Expect(overdue).Not.ToContainTextAsync($"G-ack-{tag}");
        await Host.ScreenshotAsync(page, "dashboard-grievances");

        // Risk views are compliance's and admin's, as over REST.
        await page.GotoAsync("/dashboard/suppliers");
        Assert.Contains("/dashboard/denied", page.Url, StringComparison.Ordinal);
    }

    private static async Task AssertTermsSumToAsync(IPage page, int score)
    {
        var points = await page.GetByTestId("term-points").AllInnerTextsAsync();
        Assert.NotEmpty(points);
        var sum = points.Sum(p => decimal.Parse(p, CultureInfo.InvariantCulture));
        Assert.Equal(score, sum);
        await Expect(page.GetByTestId("terms-total")).ToHaveTextAsync(sum.ToString("0.00", CultureInfo.InvariantCulture));
    }

    /// <summary>The raw text of GET /api/v1/events as it arrives.</summary>
    private sealed class EventStreamText(HttpClient client) : IDisposable
    {
        private readonly System.Text.StringBuilder _text = new();
        private Stream? _body;
        private HttpResponseMessage? _response;

        public async Task OpenAsync()
        {
            _response = await client.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, _response.StatusCode);
            _body = await _response.Content.ReadAsStreamAsync();
        }

        public async Task<string> ReadUntilAsync(string marker, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            var buffer = new byte[8192];
            var body = _body ?? throw new InvalidOperationException("Open the stream first.");
            while (!_text.ToString().Contains(marker, StringComparison.Ordinal))
            {
                var read = await body.ReadAsync(buffer, cancel.Token);
                Assert.True(read > 0, "the event stream ended");
                _text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
            }

            return _text.ToString();
        }

        public void Dispose()
        {
            _body?.Dispose();
            _response?.Dispose();
            client.Dispose();
        }
    }
}
