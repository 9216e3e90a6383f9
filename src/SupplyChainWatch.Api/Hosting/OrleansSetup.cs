using System.Net;
using Orleans.Configuration;
using Orleans.Serialization;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;
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
        builder.Services.AddSingleton<RiskAnswerCache>();
        builder.Services.AddSingleton<DerivedWriter>();
        builder.Services.AddSingleton(new ServiceClock(TimeProvider.System));

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
            if (StorageDatabase.ParseProvider(storage.Provider) == StorageProviderKind.Sqlite)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIp), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.ListenOnAnyHostAddress);
            }

            // Grain calls continue the caller's trace (HTTP request, mediator message) and open spans of their own.
            silo.AddActivityPropagation();
            silo.UseSupplyChainWatchStorage(storage);
            // Evidence is recorded on the service clock, the same clock evaluations and "as of" queries use.
            silo.Services.AddSingleton(sp => new SqlEvidenceLog(sp.GetRequiredService<StorageDatabase>(), sp.GetRequiredService<ServiceClock>().Time));
            silo.Services.AddSingleton<IGrievanceVault>(sp => new SqlGrievanceVault(sp.GetRequiredService<StorageDatabase>(), sp.GetRequiredService<ServiceClock>().Time, sp.GetRequiredService<IConfidentialTextProtector>()));
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

    public string ClusterId { get; set; } = "supplychainwatch";

    public string ServiceId { get; set; } = "supplychainwatch";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string AdvertisedIp { get; set; } = "127.0.0.1";

    public bool ListenOnAnyHostAddress { get; set; }
}
