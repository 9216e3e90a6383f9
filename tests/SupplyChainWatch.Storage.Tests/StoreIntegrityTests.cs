using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>
/// The PostgreSQL start-up check (issue 14, finding 9): what it notices. Page-level damage is out of its reach (data
/// checksums and pg_amcheck are); the SQLite check against a damaged file is tested end to end in the API tests.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreIntegrityTests(PostgresServerFixture server)
{
    [Fact]
    public async Task A_migrated_database_passes_and_a_dropped_table_or_a_version_from_another_build_fails_naming_it()
    {
        await using var database = new StorageDatabase(await server.CreateDatabaseAsync());
        var migrator = new SchemaMigrator(database);
        await migrator.MigrateAsync();
        var integrity = new StoreIntegrity(database, migrator);

        var passed = await integrity.VerifyAtStartAsync(CancellationToken.None);
        Assert.True(passed.Passed);
        Assert.Equal("ok", passed.Detail);
        Assert.Same(passed, integrity.AtStart);

        await ExecuteAsync(database, "UPDATE schema_version SET name = 'someone_elses' WHERE version = 2; DROP TABLE webhook_attempts;");
        var refused = await Assert.ThrowsAsync<StoreIntegrityException>(() => integrity.VerifyAtStartAsync(CancellationToken.None));

        Assert.Contains("schema version 2 was applied as 'someone_elses', this build knows it as 'app'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("table webhook_attempts is missing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Refusing to run on it", refused.Message, StringComparison.Ordinal);
        Assert.Contains("restore the database from the last backup", refused.Message, StringComparison.Ordinal);
        Assert.False(integrity.AtStart!.Passed);
    }

    private static async Task ExecuteAsync(StorageDatabase database, string sql) =>
        await database.WriteAsync(async (connection, transaction) => await StorageDatabase.ExecuteAsync(connection, transaction, sql, CancellationToken.None), CancellationToken.None);
}
