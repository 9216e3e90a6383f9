using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Live;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Co-hosts the Orleans silo in the API process.</summary>
public static class OrleansSetup
{
    public static WebApplicationBuilder AddSupplyChainWatchSilo(this WebApplicationBuilder builder)
    {
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var cluster = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        builder.Services.Configure<SubjectGrainOptions>(builder.Configuration.GetSection(SubjectGrainOptions.Section));
        builder.Services.AddSingleton<SubjectServices>();
        builder.Services.AddSingleton<QuarantineRegistry>();
        builder.Services.AddSingleton<SubjectFailures>();
        builder.Services.AddSingleton<RiskAnswerCache>();
        builder.Services.AddSingleton<DerivedWriter>();
        builder.Services.AddSingleton(new ServiceClock(TimeProvider.System));
        // The SSE fan-out of this silo, subscribed to the cluster's live streams while the silo runs.
        builder.Services.AddSingleton<LiveEventHub>();
        builder.Services.AddSingleton<LiveEventPublisher>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LiveEventHub>());

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // Failure detection (ProbeTimeout, NumMissedProbesLimit, NumVotesForDeathDeclaration, TableRefreshTimeout,
            // IAmAliveTablePublishTimeout, DefunctSiloExpiration, ...) is tunable because its defaults take about half a
            // minute to declare a silo dead: right for production networks, far too slow for fault tests.
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(ClusterSettings.MembershipSection));
            // ResponseTimeout bounds how long a grain call waits for an answer, e.g. from a silo that just died.
            silo.Configure<SiloMessagingOptions>(builder.Configuration.GetSection(ClusterSettings.MessagingSection));
            // CacheSize: Orleans preallocates its directory cache's LRU for the configured number of grains (1,000,000 by
            // default, 18.6 MB whatever the number of subjects); appsettings.json sets a measured size (README, Operations).
            silo.Configure<GrainDirectoryOptions>(builder.Configuration.GetSection(ClusterSettings.GrainDirectorySection));
            if (StorageDatabase.ParseProvider(storage.Provider) == StorageProviderKind.Sqlite)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);

                // Embedded mode is one silo with no clustering: its silo and gateway ports take unauthenticated Orleans
                // traffic, so they listen on loopback only, never on every interface.
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, cluster.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Loopback, cluster.GatewayPort);
                });

                // One silo: the live streams' subscriptions need not outlive it (PostgreSQL mode shares them in the database).
                silo.AddMemoryGrainStorage(StorageSiloBuilderExtensions.PubSubStorageName);
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIp), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.ListenOnAnyHostAddress);
            }

            // Orleans' own dashboard, served by this host at /admin/orleans for the admin role (TelemetrySetup). Its live log
            // stream is off: logs go through OpenTelemetry, and the dashboard's stream would bypass the log filters.
            silo.AddDashboard(o => o.HideTrace = true);

            // Grain calls continue the caller's trace (HTTP request, mediator message) and open spans of their own.
            silo.AddActivityPropagation();
            silo.UseSupplyChainWatchStorage(storage);
            // Live events between silos: risk changes and escalations published by any grain reach every silo's SSE clients.
            silo.AddMemoryStreams(LiveStreams.Provider);
            // Evidence is recorded on the service clock, the same clock evaluations and "as of" queries use.
            silo.Services.AddSingleton(sp => new SqlEvidenceLog(sp.GetRequiredService<StorageDatabase>(), sp.GetRequiredService<ServiceClock>().Time));
            silo.Services.AddSingleton(sp => new ConfidentialTextMac(sp.GetRequiredService<StorageDatabase>(),
                sp.GetRequiredKeyedService<IConfidentialTextProtector>(ConfidentialTextMac.KeyProtectorKey), sp.GetRequiredService<ServiceClock>().Time));
            silo.Services.AddSingleton<IGrievanceVault>(sp => new SqlGrievanceVault(sp.GetRequiredService<StorageDatabase>(), sp.GetRequiredService<ServiceClock>().Time,
                sp.GetRequiredService<IConfidentialTextProtector>(), sp.GetRequiredService<ConfidentialTextMac>()));
            // Domain types (risk evaluations, profiles) cross grain calls and snapshots as JSON: the domain stays free of Orleans.
            silo.Services.AddSerializer(serializer => serializer.AddJsonSerializer(
                isSupported: type => type.Namespace?.StartsWith("SupplyChainWatch.Domain", StringComparison.Ordinal) == true,
                jsonSerializerOptions: EvidenceJson.Options));
        });
        // Registered after the silo's own hosted service, so it starts once grains can be called.
        builder.Services.AddSingleton<DerivedSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DerivedSweep>());
        return builder;
    }
}

/// <summary>Where this silo listens and which cluster it joins.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>Bound onto Orleans' <see cref="ClusterMembershipOptions"/> (property names as Orleans spells them).</summary>
    public const string MembershipSection = "Cluster:Membership";

    /// <summary>Bound onto Orleans' <see cref="SiloMessagingOptions"/> (e.g. <c>ResponseTimeout</c>).</summary>
    public const string MessagingSection = "Cluster:Messaging";

    /// <summary>Bound onto Orleans' <see cref="GrainDirectoryOptions"/> (e.g. <c>CacheSize</c>).</summary>
    public const string GrainDirectorySection = "Cluster:GrainDirectory";

    public string ClusterId { get; set; } = "supplychainwatch";

    public string ServiceId { get; set; } = "supplychainwatch";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string AdvertisedIp { get; set; } = "127.0.0.1";

    public bool ListenOnAnyHostAddress { get; set; }
}
