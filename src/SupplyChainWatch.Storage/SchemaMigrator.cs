using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SupplyChainWatch.Storage;

/// <summary>One versioned schema script, embedded in this assembly under <c>Storage/Sql/&lt;Provider&gt;/NNNN_name.sql</c>.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);

/// <summary>
/// Applies the embedded, versioned schema scripts (Orleans tables and query texts, then the app tables) to SQLite or
/// PostgreSQL. Each version runs in its own transaction together with its <c>schema_version</c> row, so a failed script
/// leaves the database as it was; a second run finds nothing to do. New tables (e.g. an outbox) come as new versions.
/// </summary>
public sealed class SchemaMigrator
{
    // Any constant: serialises migrators of several silos starting against one PostgreSQL database at once.
    private const long PostgresMigrationLockKey = 0x5343_575F_4D49_4752; // "SCW_MIGR"
    private const string ResourcePrefix = "scw.sql.";

    private readonly StorageDatabase _database;
    private readonly ILogger _logger;

    public SchemaMigrator(StorageDatabase database, ILogger<SchemaMigrator>? logger = null)
        : this(database, LoadMigrations((database ?? throw new ArgumentNullException(nameof(database))).Provider), logger)
    {
    }

    /// <summary>For tests and tools: migrate with an explicit list of scripts (versions 1, 2, 3, … in order).</summary>
    public SchemaMigrator(StorageDatabase database, IReadOnlyList<SchemaMigration> migrations, ILogger<SchemaMigrator>? logger = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        ArgumentNullException.ThrowIfNull(migrations);
        if (migrations.Count == 0 || migrations.Select((m, i) => m.Version != i + 1).Any(gap => gap))
        {
            throw new ArgumentException("Migrations must be versions 1, 2, 3, … in order.", nameof(migrations));
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Migrations = migrations;
    }

    public IReadOnlyList<SchemaMigration> Migrations { get; }

    public int LatestVersion => Migrations[^1].Version;

    public static IReadOnlyList<SchemaMigration> LoadMigrations(StorageProviderKind provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var folder = ResourcePrefix + provider + "/";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var normalized = resource.Replace('\\', '/');
            if (!normalized.StartsWith(folder, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = normalized[folder.Length..];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture);
            migrations.Add(new SchemaMigration(version, Path.GetFileNameWithoutExtension(fileName[(separator + 1)..]), ReadResource(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Schema scripts for {provider} must be numbered 1, 2, 3, … without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No embedded schema scripts for {provider} (expected resources '{folder}NNNN_name.sql').");
        }

        return migrations;
    }

    /// <summary>Applies every pending version; returns how many were applied (0 when the schema is current).</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = 0;
        foreach (var migration in Migrations)
        {
            var ran = await _database.WriteAsync(async (connection, transaction) =>
            {
                if (_database.IsPostgreSql)
                {
                    await StorageDatabase.ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresMigrationLockKey});", cancellationToken).ConfigureAwait(false);
                }

                await StorageDatabase.ExecuteAsync(connection, transaction, CreateVersionTableSql, cancellationToken).ConfigureAwait(false);
                await using (var check = StorageDatabase.CreateCommand(connection, transaction, "SELECT count(*) FROM schema_version WHERE version = @version;"))
                {
                    StorageDatabase.AddParameter(check, "@version", migration.Version);
                    if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0)
                    {
                        return false;
                    }
                }

                await StorageDatabase.ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
                await using var record = StorageDatabase.CreateCommand(connection, transaction, "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @appliedAt);");
                StorageDatabase.AddParameter(record, "@version", migration.Version);
                StorageDatabase.AddParameter(record, "@name", migration.Name);
                StorageDatabase.AddParameter(record, "@appliedAt", _database.TimestampParameter(DateTimeOffset.UtcNow));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);

            if (ran)
            {
                applied++;
                _logger.LogInformation("Applied schema version {Version} ({Name}) to the {Provider} database.", migration.Version, migration.Name, _database.Provider);
            }
        }

        return applied;
    }

    /// <summary>The highest applied version, 0 for an empty database.</summary>
    public async Task<int> GetCurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        var existsSql = _database.IsPostgreSql
            ? "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END;"
            : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        await using (var exists = StorageDatabase.CreateCommand(connection, null, existsSql))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }
        }

        await using var max = StorageDatabase.CreateCommand(connection, null, "SELECT coalesce(max(version), 0) FROM schema_version;");
        return Convert.ToInt32(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Fails fast with a clear message when the database is behind (or ahead of) this build's schema.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        var current = await GetCurrentVersionAsync(cancellationToken).ConfigureAwait(false);
        if (current < LatestVersion)
        {
            throw new InvalidOperationException(
                $"The {_database.Provider} database is at schema version {current} but this build needs version {LatestVersion}. " +
                $"Run the schema migration first: `dotnet SupplyChainWatch.Api.dll migrate` (or set Storage:MigrateOnStart=true).");
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The {_database.Provider} database is at schema version {current}, newer than this build's {LatestVersion}. Deploy the newer build.");
        }
    }

    private string CreateVersionTableSql => _database.IsPostgreSql
        ? "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);"
        : "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);";

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Missing resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
