using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace SupplyChainWatch.Storage;

/// <summary>Silo wiring for SupplyChainWatch storage: Orleans ADO.NET providers on our SQL, and the app stores.</summary>
public static partial class StorageSiloBuilderExtensions
{
    /// <summary>Name of the grain storage provider: <c>[PersistentState("…", StorageSiloBuilderExtensions.GrainStorageName)]</c>.</summary>
    public const string GrainStorageName = "scw";

    /// <summary>The storage Orleans' stream pub-sub looks up by this name.</summary>
    public const string PubSubStorageName = "PubSubStore";

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
        services.AddSingleton(sp => new StoreIntegrity(database, sp.GetRequiredService<SchemaMigrator>()));
        services.AddSingleton(sp => new SqlEvidenceLog(database, sp.GetService<TimeProvider>()));
        services.AddSingleton<IEvidenceLog>(sp => sp.GetRequiredService<SqlEvidenceLog>());
        services.AddSingleton(_ => new SqlReadModelStore(database));
        services.AddSingleton<IReadModelStore>(sp => sp.GetRequiredService<SqlReadModelStore>());
        services.AddSingleton(sp => new SqlWebhookStore(database, sp.GetRequiredKeyedService<IConfidentialTextProtector>(SqlWebhookStore.SecretProtectorKey),
            sp.GetKeyedService<TimeProvider>(SqlWebhookStore.ClockKey)));
        services.AddSingleton(sp => new SqlEscalationStore(database, sp.GetRequiredService<SqlWebhookStore>()));
        services.AddSingleton<IEscalationStore>(sp => sp.GetRequiredService<SqlEscalationStore>());
        services.AddSingleton(sp => new SqlDerivedStore(database, sp.GetRequiredService<SqlEscalationStore>(), sp.GetRequiredService<SqlReadModelStore>(), sp.GetRequiredService<SqlLiveEventStore>(),
            options.DerivedWriteDelay));
        services.AddSingleton<IDerivedStore>(sp => sp.GetRequiredService<SqlDerivedStore>());
        services.AddSingleton(_ => new SqlReferralStore(database));
        services.AddSingleton(_ => new SqlLiveEventStore(database));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new SchemaStartup(sp.GetRequiredService<SchemaMigrator>(), sp.GetRequiredService<StoreIntegrity>(), database, options.MigrateOnStart,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<StoreIntegrity>()));

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
        // Orleans' stream pub-sub state (who is subscribed to the live streams), shared by the cluster's silos. The
        // embedded store's single silo keeps it in memory (see OrleansSetup).
        if (database.IsPostgreSql)
        {
            silo.AddAdoNetGrainStorage(PubSubStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> builder) => builder.Configure(o =>
            {
                o.Invariant = database.OrleansInvariant;
                o.ConnectionString = database.ConnectionString;
            }));
        }

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

    /// <summary>
    /// Checks the store's integrity, then migrates (or verifies) the schema, before any Orleans provider reads its query
    /// texts. SQLite is checked before the migration writes to the file; PostgreSQL after it, since its check compares
    /// the schema with this build's. A failed check stops the silo, and with it the service: nothing writes to a
    /// damaged store.
    /// </summary>
    private sealed partial class SchemaStartup(SchemaMigrator migrator, StoreIntegrity integrity, StorageDatabase database, bool migrate, ILogger logger)
        : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle observer) =>
            observer.Subscribe(nameof(SchemaStartup), ServiceLifecycleStage.First, async cancellationToken =>
            {
                if (!database.IsPostgreSql)
                {
                    await CheckIntegrityAsync(cancellationToken).ConfigureAwait(false);
                }

                if (migrate)
                {
                    await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await migrator.VerifyAsync(cancellationToken).ConfigureAwait(false);
                }

                if (database.IsPostgreSql)
                {
                    await CheckIntegrityAsync(cancellationToken).ConfigureAwait(false);
                }
            });

        private async Task CheckIntegrityAsync(CancellationToken cancellationToken)
        {
            try
            {
                var report = await integrity.VerifyAtStartAsync(cancellationToken).ConfigureAwait(false);
                LogPassed(report.Method, report.Took.TotalMilliseconds);
            }
            catch (StoreIntegrityException exception)
            {
                LogRefused(exception.Message);
                throw;
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Store integrity check passed ({Method}, {Milliseconds:F0} ms).")]
        private partial void LogPassed(string method, double milliseconds);

        [LoggerMessage(Level = LogLevel.Critical, Message = "{Refusal}")]
        private partial void LogRefused(string refusal);
    }
}
