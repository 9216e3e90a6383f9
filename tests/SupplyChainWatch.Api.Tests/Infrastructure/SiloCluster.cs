using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>
/// Several service processes (each an API + silo) on loopback forming one Orleans cluster over one PostgreSQL database,
/// with membership timings short enough that a killed silo is declared dead in seconds.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<ServiceProcess> _silos;
    private readonly IReadOnlyDictionary<string, string> _extraSettings;

    private SiloCluster(StorageOptions storage, string dataDirectory, List<ServiceProcess> silos, IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        Storage = storage;
        DataDirectory = dataDirectory;
        _silos = silos;
        _extraSettings = extraSettings ?? new Dictionary<string, string>();
    }

    public StorageOptions Storage { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<ServiceProcess> Silos => _silos;

    /// <summary>
    /// Fast failure detection for tests: a silo that misses two one-second probes is suspected, one vote declares it dead
    /// (with three silos, the other survivor may be busy), the table is re-read every two seconds, and probe timeouts are
    /// not stretched when the (shared, often overloaded) test machine makes a silo look degraded. Grain calls give up
    /// after 10 s instead of 30 s. Production keeps Orleans' defaults (see README, "Scaling out").
    /// </summary>
    public static Dictionary<string, string> Settings(string clusterId)
    {
        var settings = FastFailureDetection();
        settings["Storage__MigrateOnStart"] = "false";
        settings["Cluster__ClusterId"] = clusterId;
        settings["Cluster__ServiceId"] = "scw-tests";
        settings["Cluster__AdvertisedIp"] = "127.0.0.1";
        settings["Logging__LogLevel__Orleans"] = "Error";
        settings["Logging__LogLevel__Default"] = "Warning";
        return settings;
    }

    /// <summary>
    /// The membership timings alone. A silo that restarts after SIGKILL finds its dead predecessor still "active" in the
    /// membership table and cannot join until that row is judged stale (IAmAliveTablePublishTimeout ×
    /// NumMissedTableIAmAliveLimit: ten minutes with Orleans' defaults, ten seconds here).
    /// </summary>
    public static Dictionary<string, string> FastFailureDetection() => new()
    {
        ["Cluster__Membership__ProbeTimeout"] = "00:00:01",
        ["Cluster__Membership__NumMissedProbesLimit"] = "2",
        ["Cluster__Membership__NumVotesForDeathDeclaration"] = "1",
        ["Cluster__Membership__ExtendProbeTimeoutDuringDegradation"] = "false",
        ["Cluster__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        ["Cluster__Membership__DeathVoteExpirationTimeout"] = "00:00:10",
        ["Cluster__Messaging__ResponseTimeout"] = "00:00:10",
    };

    /// <summary>Migrates the database once (as a deployment would), then starts the silos side by side.</summary>
    /// <param name="storage">The shared store.</param>
    /// <param name="count">Silos to start.</param>
    /// <param name="dataDirectory">Their data folder (a new one when null).</param>
    /// <param name="extraSettings">Environment-style settings (<c>A__B</c>) every silo gets beside <see cref="Settings"/>.</param>
    public static async Task<SiloCluster> StartAsync(StorageOptions storage, int count, string? dataDirectory = null, IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        var data = dataDirectory ?? TestPaths.NewTempDirectory();
        await using (var database = new StorageDatabase(storage))
        {
            await new SchemaMigrator(database).MigrateAsync();
        }

        var cluster = new SiloCluster(storage, data, [], extraSettings);
        await cluster.StartSilosAsync(count);
        return cluster;
    }

    /// <summary>Starts more silos in the same cluster (or a fresh set after <see cref="StopAllAsync"/>).</summary>
    public async Task StartSilosAsync(int count)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
        {
            var settings = Settings("scw-cluster");
            foreach (var (key, value) in _extraSettings)
            {
                settings[key] = value;
            }

            return ServiceProcess.StartAsync(DataDirectory, settings, Storage);
        }));
        _silos.AddRange(started);
    }

    /// <summary>SIGTERM to every silo at once; returns their exit codes. The silos are forgotten afterwards.</summary>
    public async Task<int[]> StopAllAsync()
    {
        var codes = await Task.WhenAll(_silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(60))));
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _silos.Clear();
        return codes;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>The risk engine exactly as the service builds it, for from-scratch recomputations.</summary>
    public static RiskEngine CreateEngine()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [RiskModelSetup.ConfigDirectoryKey] = TestPaths.ConfigDirectory })
            .Build();
        using var services = new ServiceCollection().AddRiskModel(configuration).BuildServiceProvider();
        return services.GetRequiredService<RiskEngine>();
    }

    /// <summary>Rows of the membership table whose status is not Dead (6): silos that did not leave cleanly.</summary>
    public async Task<long> CountMembersNotDeadAsync()
    {
        await using var database = new StorageDatabase(Storage);
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT count(*) FROM OrleansMembershipTable WHERE Status <> 6;");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
