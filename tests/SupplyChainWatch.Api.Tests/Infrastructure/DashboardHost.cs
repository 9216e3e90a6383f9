using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// The service on a real Kestrel port with the development sign-in page on, and Debian's headless chromium driven by
/// Playwright (no browser download: <see cref="ChromiumPath"/>, installed by .ci/run). Collects what the browser
/// received over the Blazor circuit's WebSocket and every console message, so tests can search them.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly List<string> _frames = [];
    private readonly List<string> _console = [];

    private DashboardHost(ServiceFactory factory, string baseUrl, IPlaywright playwright, IBrowser browser)
    {
        Factory = factory;
        BaseUrl = baseUrl;
        Playwright = playwright;
        Browser = browser;
    }

    public ServiceFactory Factory { get; }

    public string BaseUrl { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>Where screenshots go: <c>SCW_DASHBOARD_SCREENSHOTS</c> when set (docs/images is made this way), else a temp folder.</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("SCW_DASHBOARD_SCREENSHOTS") is { Length: > 0 } configured ? configured : TestPaths.NewTempDirectory();

    public static async Task<DashboardHost> StartAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does.");
        var factory = new ServiceFactory();
        factory.Settings["Dashboard:DevelopmentSignIn"] = "true";
        var port = FreePort.Next();
        factory.UseKestrel(port);
        factory.StartServer();
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespace for chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        return new DashboardHost(factory, $"http://127.0.0.1:{port}", playwright, browser);
    }

    /// <summary>A new browser context (its own cookies) signed in through the sign-in form with <paramref name="roles"/>.</summary>
    public async Task<IPage> SignInAsync(params string[] roles)
    {
        var page = await NewPageAsync();

        // An anonymous visit goes to the sign-in form, which comes back to the page asked for.
        await page.GotoAsync("/dashboard");
        await SubmitSignInAsync(page, roles);
        await page.WaitForURLAsync(BaseUrl + "/dashboard");
        await WaitForCircuitAsync(page);
        return page;
    }

    /// <summary>Fills and submits the development sign-in form the page shows, with <paramref name="roles"/>.</summary>
    public static async Task SubmitSignInAsync(IPage page, params string[] roles)
    {
        Assert.Contains("/dashboard/sign-in", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=Name]", "browser-" + string.Join("-", roles));
        foreach (var role in roles)
        {
            await page.CheckAsync($"input[name=Roles][value={role}]");
        }

        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>A page in a new browser context (its own cookies, nobody signed in) whose console and circuit frames are collected.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add(message.Text);
            }
        };
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            lock (_frames)
            {
                _frames.Add(frame.Text ?? Encoding.UTF8.GetString(frame.Binary ?? []));
            }
        };

        return page;
    }

    /// <summary>Waits until the page is interactive: MudBlazor's layout is rendered and Blazor's circuit is connected.</summary>
    public static async Task WaitForCircuitAsync(IPage page)
    {
        try
        {
            await page.WaitForSelectorAsync(".mud-layout", new PageWaitForSelectorOptions { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{page.Url} did not render the dashboard layout; it shows: {await page.InnerTextAsync("body")}");
        }

        await page.WaitForFunctionAsync("() => window.Blazor !== undefined && document.querySelector('.mud-main-content') !== null");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    /// <summary>Everything the circuit sent, as text: each frame as received plus the UTF-8 of every base64 run in it (render batches travel base64-encoded).</summary>
    public string CircuitText()
    {
        string[] frames;
        lock (_frames)
        {
            frames = [.. _frames];
        }

        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            text.AppendLine(frame);
            foreach (Match run in Regex.Matches(frame, "[A-Za-z0-9+/]{16,}={0,2}"))
            {
                var padded = run.Value.PadRight(run.Value.Length + ((4 - (run.Value.Length % 4)) % 4), '=');
                try
                {
                    text.AppendLine(Encoding.UTF8.GetString(Convert.FromBase64String(padded)));
                }
                catch (FormatException)
                {
                    // Not base64 after all.
                }
            }
        }

        return text.ToString();
    }

    public IReadOnlyList<string> ConsoleMessages()
    {
        lock (_console)
        {
            return [.. _console];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Factory.DisposeAsync();
    }
}
