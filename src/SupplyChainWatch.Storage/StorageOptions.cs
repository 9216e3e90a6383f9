namespace SupplyChainWatch.Storage;

/// <summary>Where SupplyChainWatch keeps grain state, reminders, membership and its own tables. Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string SqliteProvider = "Sqlite";
    public const string PostgreSqlProvider = "PostgreSql";
    public const string DefaultSqliteConnectionString = "Data Source=./data/supplychainwatch.db";

    /// <summary><c>Sqlite</c> (embedded, default) or <c>PostgreSql</c>.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>ADO.NET connection string; for SQLite the folder of the data source is created if missing.</summary>
    public string ConnectionString { get; set; } = DefaultSqliteConnectionString;

    /// <summary>
    /// When true (default) the silo applies pending schema migrations at start-up; when false it only verifies the schema
    /// and refuses to start if it is behind (for deployments that migrate with an explicit command).
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long the derived-view writer lets a batch gather before writing it (zero: write as soon as one is pending).
    /// Crash tests set it to hold acknowledged signals' consequences in memory long enough to kill the process first.
    /// </summary>
    public TimeSpan DerivedWriteDelay { get; set; }
}
