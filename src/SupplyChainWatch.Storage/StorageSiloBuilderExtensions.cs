using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace SupplyChainWatch.Storage;

/// <summary>Silo wiring for SupplyChainWatch storage: Orleans ADO.NET providers on our SQL, and the app stores.</summary>
public static class StorageSiloBuilderExtensions
{
    /// <summary>Name of the grain storage provider: <c>[PersistentState("…", StorageSiloBuilderExtensions.GrainStorageName)]</c>.</summary>
    public const string GrainStorageName = "scw";

    /// <summary>
    /// Registers grain storage <c>"scw"</c> and reminders (Orleans ADO.NET over our schema), PostgreSQL membership when the
    /// provider is PostgreSql (for SQLite the host configures localhost clustering), the schema migration at silo start,
    /// and singletons <see cref="StorageDatabase"/>, <see cref="SchemaMigrator"/>, <see cref="IEvidenceLog"/>,
    /// <see cref="IReadModelStore"/>, <see cref="IEscalationStore"/> and <see cref="SqlWebhookStore"/> (whose outbox the
    /// escalation store fills in the events' transaction). SQLite mode serialises grain-state and reminder
    /// writes through the same FIFO gate as the app stores' single writer.
    /// </summary>
    public static ISiloBuilder UseSupplyChainWatchStorage(this ISiloBuilder silo, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);

        // Created here, not lazily: it validates the options (provider name, SQLite file path) and creates the data folder
        // before Orleans' providers try to open the database.
        var database = new StorageDatabase(options);
        var services = silo.Services;
        services.AddSingleton(database);
        services.AddSingleton(sp => new SchemaMigrator(database, sp.GetService<ILogger<SchemaMigrator>>()));
        services.AddSingleton(sp => new SqlEvidenceLog(database, sp.GetService<TimeProvider>()));
        services.AddSingleton<IEvidenceLog>(sp => sp.GetRequiredService<SqlEvidenceLog>());
        services.AddSingleton(_ => new SqlReadModelStore(database));
        services.AddSingleton<IReadModelStore>(sp => sp.GetRequiredService<SqlReadModelStore>());
        services.AddSingleton(sp => new SqlWebhookStore(database, sp.GetRequiredKeyedService<IConfidentialTextProtector>(SqlWebhookStore.SecretProtectorKey)));
        services.AddSingleton(sp => new SqlEscalationStore(database, sp.GetRequiredService<SqlWebhookStore>()));
        services.AddSingleton<IEscalationStore>(sp => sp.GetRequiredService<SqlEscalationStore>());
        services.AddSingleton(sp => new SqlDerivedStore(database, sp.GetRequiredService<SqlEscalationStore>(), sp.GetRequiredService<SqlReadModelStore>(), options.DerivedWriteDelay));
        services.AddSingleton<IDerivedStore>(sp => sp.GetRequiredService<SqlDerivedStore>());
        services.AddSingleton(_ => new SqlReferralStore(database));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new SchemaStartup(sp.GetRequiredService<SchemaMigrator>(), options.MigrateOnStart));

        silo.AddAdoNetGrainStorage(GrainStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> builder) => builder.Configure<IServiceProvider>((o, sp) =>
        {
            o.Invariant = database.OrleansInvariant;
            o.ConnectionString = database.ConnectionString;
            // Snapshots in Orleans' binary format: the default (Newtonsoft JSON with reference tracking) spent a third of a
            // bulk import's CPU serialising them. Snapshots written by earlier versions in that default format still load.
            o.GrainStorageSerializer = new GrainStorageSerializer(
                new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()),
                sp.GetRequiredService<IGrainStorageSerializer>());
        }));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = database.OrleansInvariant;
            o.ConnectionString = database.ConnectionString;
        });

        if (database.IsPostgreSql)
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = database.OrleansInvariant;
                o.ConnectionString = database.ConnectionString;
            });
        }
        else
        {
            SerializeSqliteWrites(services, database.SqliteWriteGate);
        }

        return silo;
    }

    /// <summary>Binds <see cref="StorageOptions"/> from the <c>Storage</c> section (defaults: SQLite under ./data).</summary>
    public static ISiloBuilder UseSupplyChainWatchStorage(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = new StorageOptions();
        silo.Configuration.GetSection(StorageOptions.SectionName).Bind(options);
        return silo.UseSupplyChainWatchStorage(options);
    }

    private static void SerializeSqliteWrites(IServiceCollection services, SemaphoreSlim writeGate)
    {
        // Orleans registers grain storage as a keyed IGrainStorage singleton named after the provider (and a lifecycle
        // participant that resolves that same keyed service). Replace the keyed registration with the gated wrapper around
        // the provider Orleans would have built; the wrapper forwards lifecycle participation so the provider still loads
        // its query texts at start-up.
        var storage = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, GrainStorageName))
            ?? throw new InvalidOperationException($"Orleans did not register grain storage '{GrainStorageName}' as a keyed IGrainStorage; the SQLite write gate cannot be installed.");
        services.Remove(storage);
        services.AddKeyedSingleton<IGrainStorage>(GrainStorageName, (sp, key) =>
            new SerializedGrainStorage(AdoNetGrainStorageFactory.Create(sp, GrainStorageName), writeGate));

        var reminders = services.LastOrDefault(d => d.ServiceType == typeof(IReminderTable) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Orleans did not register an IReminderTable; the SQLite write gate cannot be installed.");
        services.Remove(reminders);
        services.AddSingleton<IReminderTable>(sp => new SerializedReminderTable(CreateFrom(reminders, sp), writeGate));
    }

    private static IReminderTable CreateFrom(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IReminderTable)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>Migrates (or verifies) the schema before any Orleans provider reads its query texts.</summary>
    private sealed class SchemaStartup(SchemaMigrator migrator, bool migrate) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle observer) =>
            observer.Subscribe(nameof(SchemaStartup), ServiceLifecycleStage.First, async cancellationToken =>
            {
                if (migrate)
                {
                    await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await migrator.VerifyAsync(cancellationToken).ConfigureAwait(false);
                }
            });
    }
}
