using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SupplyChainWatch.Grains;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// The real service (API + co-hosted silo) on the embedded SQLite store in a temp folder, with a fake clock
/// and captured logs. Settings go through UseSetting because UseOrleans reads configuration early.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public ServiceFactory(string? dataDirectory = null, DateTimeOffset? start = null)
    {
        DataDirectory = dataDirectory ?? TestPaths.NewTempDirectory();
        Clock = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "scw.db");

    public FakeTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Extra settings (e.g. <c>Webhooks:…</c>); set before the first client is created.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:Provider", "Sqlite");
        builder.UseSetting("Storage:ConnectionString", $"Data Source={DatabasePath}");
        builder.UseSetting("RiskModel:ConfigDirectory", TestPaths.ConfigDirectory);
        builder.UseSetting("Cluster:SiloPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Cluster:GatewayPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ServiceClock>();
            services.AddSingleton(new ServiceClock(Clock));
        });
    }

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();
}
