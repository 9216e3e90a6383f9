using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// The real service (API + co-hosted silo) on the embedded SQLite store in a temp folder (or on the given store, e.g. a
/// test PostgreSQL database), with a fake clock and captured logs. Settings go through UseSetting because UseOrleans
/// reads configuration early.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public ServiceFactory(string? dataDirectory = null, DateTimeOffset? start = null, StorageOptions? storage = null)
    {
        DataDirectory = dataDirectory ?? TestPaths.NewTempDirectory();
        Clock = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        Storage = storage ?? new StorageOptions { Provider = StorageOptions.SqliteProvider, ConnectionString = $"Data Source={DatabasePath}" };

        // Loopback receivers allowed and a fast retry schedule; the SSRF tests take loopback off the allow-list again.
        WebhookTestSettings.Apply(Settings);
    }

    private WebhookReceiver? _webhookReceiver;

    /// <summary>A loopback webhook receiver that lives as long as this service (started on first use).</summary>
    public async Task<WebhookReceiver> WebhookReceiverAsync() => _webhookReceiver ??= await WebhookReceiver.StartAsync();

    public override async ValueTask DisposeAsync()
    {
        if (_webhookReceiver is not null)
        {
            await _webhookReceiver.DisposeAsync();
            _webhookReceiver = null;
        }

        await base.DisposeAsync();
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "scw.db");

    /// <summary>The store this service runs on; pass it to a second factory to restart on the same data.</summary>
    public StorageOptions Storage { get; }

    public FakeTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Extra service registrations (e.g. a telemetry capture); set before the first client or service is created.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Extra settings for this service; set them before the first client or service is created.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:Provider", Storage.Provider);
        builder.UseSetting("Storage:ConnectionString", Storage.ConnectionString);
        builder.UseSetting("RiskModel:ConfigDirectory", TestPaths.ConfigDirectory);
        builder.UseSetting("Cluster:SiloPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Cluster:GatewayPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        foreach (var (key, value) in TestTokens.Settings)
        {
            builder.UseSetting(key, value);
        }

        // High enough that no test is throttled unless it lowers the limit itself (AbuseLimitTests).
        builder.UseSetting("RateLimiting:PermitLimit", "1000000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ServiceClock>();
            services.AddSingleton(new ServiceClock(Clock));
            ConfigureServices?.Invoke(services);
        });
    }

    /// <summary>A client whose token carries exactly <paramref name="roles"/>; <c>[]</c> is an anonymous client.</summary>
    public HttpClient CreateClient(string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var client = base.CreateClient();
        client.DefaultRequestHeaders.Authorization = roles.Length == 0 ? null : TestTokens.Bearer(roles);
        return client;
    }

    /// <summary>Clients from <c>CreateClient()</c> carry a token with <see cref="TestTokens.DefaultRoles"/>.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.DefaultRoles);
    }

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// The barrier before reading derived views (escalations, webhook deliveries, subject lists): completes once every
    /// derived write queued by this silo so far is durable. A 2xx means the signal is in the log and in the grain; its
    /// consequences follow behind the answer.
    /// </summary>
    public Task DerivedViewsCaughtUpAsync() => Service<DerivedWriter>().CaughtUpAsync().WaitAsync(TimeSpan.FromSeconds(30));
}
