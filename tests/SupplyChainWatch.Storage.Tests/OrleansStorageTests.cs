using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Storage;
using SupplyChainWatch.Storage;
using Xunit.Abstractions;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>
/// A real silo (generic host + UseOrleans) on our storage: grain state and reminders through Orleans ADO.NET on our SQL.
/// SQLite uses localhost clustering as the host would; PostgreSQL also runs our membership SQL.
/// </summary>
public abstract class OrleansStorageContract(ITestOutputHelper output)
{
    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    protected abstract bool UsesDatabaseClustering { get; }

    private async Task<IHost> StartSiloAsync(StorageOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            var siloPort = FreePort();
            var gatewayPort = FreePort();
            if (UsesDatabaseClustering)
            {
                silo.Configure<EndpointOptions>(o =>
                {
                    o.AdvertisedIPAddress = IPAddress.Loopback;
                    o.SiloPort = siloPort;
                    o.GatewayPort = gatewayPort;
                });
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort);
            }

            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "scw-test";
                o.ServiceId = "scw-test";
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddKeyedSingleton<IConfidentialTextProtector>(SqlWebhookStore.SecretProtectorKey, new ReversibleProtector());
            silo.UseSupplyChainWatchStorage(options);
        });

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Grain_state_and_reminders_survive_a_silo_restart()
    {
        var options = await CreateDatabaseAsync();
        var key = "probe:" + Guid.NewGuid().ToString("N");

        var first = await StartSiloAsync(options);
        try
        {
            var grain = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IStorageProbeGrain>(key);
            await grain.IncrementAsync();
            await grain.IncrementAsync();
            Assert.Equal(3, await grain.IncrementAsync());
            await grain.RegisterReminderAsync(TimeSpan.FromSeconds(1));
        }
        finally
        {
            await StopAsync(first);
        }

        StorageProbeGrain.ReminderTicks.TryRemove(key, out _);
        var second = await StartSiloAsync(options);
        try
        {
            var grain = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IStorageProbeGrain>(key);
            Assert.Equal(3, await grain.GetAsync());
            Assert.True(await grain.HasReminderAsync());

            // The restarted silo's reminder service reads the table and fires the reminder.
            var waited = Stopwatch.StartNew();
            while (!StorageProbeGrain.ReminderTicks.ContainsKey(key) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }

            Assert.True(StorageProbeGrain.ReminderTicks.ContainsKey(key), "the reminder did not fire after the restart");
            output.WriteLine($"reminder fired {waited.ElapsedMilliseconds} ms after the restarted silo served its first call");
        }
        finally
        {
            await StopAsync(second);
        }
    }

    [Fact]
    public async Task Storage_contract_first_write_race_and_stale_etag()
    {
        var options = await CreateDatabaseAsync();
        var host = await StartSiloAsync(options);
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
            if (!UsesDatabaseClustering)
            {
                Assert.IsType<SerializedGrainStorage>(storage); // SQLite: writes go through the FIFO gate
                Assert.IsType<SerializedReminderTable>(host.Services.GetRequiredService<IReminderTable>());
            }

            var grainId = GrainId.Create("storage-probe", "race:" + Guid.NewGuid().ToString("N"));

            // 16 "activations" write their first state at once (ETag null): exactly one may win.
            var attempts = Enumerable.Range(0, 16).Select(async i =>
            {
                var state = new GrainState<StorageProbeState>(new StorageProbeState { Count = i });
                try
                {
                    await storage.WriteStateAsync("storage-probe", grainId, state);
                    return state.ETag;
                }
                catch (InconsistentStateException)
                {
                    return null;
                }
            });
            var etags = await Task.WhenAll(attempts);
            Assert.Single(etags, e => e is not null);
            Assert.Equal(1, await CountStorageRowsAsync(host.Services.GetRequiredService<StorageDatabase>()));

            // Read, write twice, then write with the stale ETag: the version check must refuse it.
            var current = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync("storage-probe", grainId, current);
            Assert.Equal("1", current.ETag);
            var staleEtag = current.ETag;
            current.State = new StorageProbeState { Count = 100 };
            await storage.WriteStateAsync("storage-probe", grainId, current);
            Assert.Equal("2", current.ETag);

            var stale = new GrainState<StorageProbeState>(new StorageProbeState { Count = -1 }, staleEtag);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("storage-probe", grainId, stale));

            await storage.ClearStateAsync("storage-probe", grainId, current);
            var afterClear = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync("storage-probe", grainId, afterClear);
            Assert.Equal(0, afterClear.State?.Count ?? 0);
            Assert.Equal("3", afterClear.ETag);
        }
        finally
        {
            await StopAsync(host);
        }
    }

    [Fact]
    public async Task Thirty_two_concurrent_grain_state_writers_all_finish_quickly()
    {
        const int grains = 32;
        const int writesEach = 10;
        var options = await CreateDatabaseAsync();
        var host = await StartSiloAsync(options);
        try
        {
            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var prefix = "load:" + Guid.NewGuid().ToString("N") + ":";
            await Task.WhenAll(Enumerable.Range(0, grains).Select(i => factory.GetGrain<IStorageProbeGrain>(prefix + i).GetAsync())); // activate

            var latencies = new List<TimeSpan>();
            var total = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, grains).Select(async i =>
            {
                var grain = factory.GetGrain<IStorageProbeGrain>(prefix + i);
                for (var w = 0; w < writesEach; w++)
                {
                    var one = Stopwatch.StartNew();
                    await grain.IncrementAsync();
                    lock (latencies)
                    {
                        latencies.Add(one.Elapsed);
                    }
                }
            }));
            total.Stop();

            Assert.Equal(grains * writesEach, latencies.Count);
            var max = latencies.Max();
            var ordered = latencies.Order().ToList();
            output.WriteLine($"{GetType().Name}: {grains} grains x {writesEach} writes in {total.ElapsedMilliseconds} ms; " +
                $"p50 {ordered[ordered.Count / 2].TotalMilliseconds:F1} ms, p99 {ordered[(int)(ordered.Count * 0.99)].TotalMilliseconds:F1} ms, max {max.TotalMilliseconds:F1} ms");
            Assert.True(max < TimeSpan.FromSeconds(5), $"slowest grain write took {max.TotalMilliseconds:F0} ms");
            Assert.Equal(writesEach, await factory.GetGrain<IStorageProbeGrain>(prefix + 0).GetAsync());
        }
        finally
        {
            await StopAsync(host);
        }
    }

    [Fact]
    public async Task Snapshots_are_written_in_binary_and_those_of_earlier_versions_in_json_still_load()
    {
        var options = await CreateDatabaseAsync();
        var host = await StartSiloAsync(options);
        try
        {
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
            var database = host.Services.GetRequiredService<StorageDatabase>();
            var grainId = GrainId.Create("storage-probe", "format:" + Guid.NewGuid().ToString("N"));
            var written = new GrainState<StorageProbeState>(new StorageProbeState { Count = 41 });
            await storage.WriteStateAsync("storage-probe", grainId, written);

            var payload = await ReadPayloadAsync(database);
            Assert.NotEqual((byte)'{', payload[0]); // not the JSON earlier versions wrote

            // Earlier versions wrote the silo's default format (JSON): put such a payload in place and read it back.
            var json = host.Services.GetRequiredService<IGrainStorageSerializer>().Serialize(new StorageProbeState { Count = 42 }).ToArray();
            Assert.Equal((byte)'{', json[0]);
            var updated = await database.WriteAsync(async (connection, transaction) =>
            {
                await using var update = StorageDatabase.CreateCommand(connection, transaction, "UPDATE OrleansStorage SET PayloadBinary = @payload;");
                StorageDatabase.AddParameter(update, "@payload", json);
                return await update.ExecuteNonQueryAsync();
            }, CancellationToken.None);
            Assert.Equal(1, updated);

            var read = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync("storage-probe", grainId, read);
            Assert.Equal(42, read.State!.Count);

            // The next write of that state is binary again.
            read.State.Count = 43;
            await storage.WriteStateAsync("storage-probe", grainId, read);
            Assert.NotEqual((byte)'{', (await ReadPayloadAsync(database))[0]);
            var reread = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync("storage-probe", grainId, reread);
            Assert.Equal(43, reread.State!.Count);
        }
        finally
        {
            await StopAsync(host);
        }
    }

    private static async Task<byte[]> ReadPayloadAsync(StorageDatabase database)
    {
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT PayloadBinary FROM OrleansStorage;");
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountStorageRowsAsync(StorageDatabase database)
    {
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT count(*) FROM OrleansStorage;");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteOrleansStorageTests(ITestOutputHelper output) : OrleansStorageContract(output), IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    protected override bool UsesDatabaseClustering => false;

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOrleansStorageTests(PostgresServerFixture server, ITestOutputHelper output) : OrleansStorageContract(output)
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();

    protected override bool UsesDatabaseClustering => true;
}
