using System.Data.Common;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

public abstract class SchemaMigratorContract
{
    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    protected abstract string SchemaQuery { get; }

    [Fact]
    public async Task Migrate_applies_every_version_once_and_a_second_run_changes_nothing()
    {
        await using var database = new StorageDatabase(await CreateDatabaseAsync());
        var migrator = new SchemaMigrator(database);

        var first = await migrator.MigrateAsync();
        var schemaAfterFirst = await DescribeSchemaAsync(database);
        var second = await migrator.MigrateAsync();
        var schemaAfterSecond = await DescribeSchemaAsync(database);

        Assert.Equal(migrator.LatestVersion, first);
        Assert.Equal(0, second);
        Assert.Equal(schemaAfterFirst, schemaAfterSecond);
        Assert.Contains("evidence_log", schemaAfterFirst, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("orleansstorage", schemaAfterFirst, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(migrator.LatestVersion, await migrator.GetCurrentVersionAsync());
        await migrator.VerifyAsync();
    }

    [Fact]
    public async Task Verify_fails_with_a_clear_message_on_an_unmigrated_database()
    {
        await using var database = new StorageDatabase(await CreateDatabaseAsync());
        var migrator = new SchemaMigrator(database);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.VerifyAsync());

        Assert.Contains("schema version 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("migration", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Orleans_query_table_holds_every_key_the_providers_look_up()
    {
        await using var database = new StorageDatabase(await CreateDatabaseAsync());
        await new SchemaMigrator(database).MigrateAsync();

        var keys = new List<string>();
        await using (var connection = await database.OpenReadConnectionAsync(CancellationToken.None))
        await using (var command = StorageDatabase.CreateCommand(connection, null, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey;"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        string[] persistenceAndReminders =
        [
            "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
            "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
            "ReadReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        Assert.All(persistenceAndReminders, key => Assert.Contains(key, keys));
        if (database.IsPostgreSql)
        {
            string[] clustering =
            [
                "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey",
                "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey",
                "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
            ];
            Assert.All(clustering, key => Assert.Contains(key, keys));
        }
    }

    [Fact]
    public async Task A_failing_version_leaves_the_database_as_it_was()
    {
        await using var database = new StorageDatabase(await CreateDatabaseAsync());
        SchemaMigration[] migrations =
        [
            new(1, "one", "CREATE TABLE migration_probe_one (id integer PRIMARY KEY);"),
            new(2, "two", "CREATE TABLE migration_probe_two (id integer PRIMARY KEY); INSERT INTO no_such_table VALUES (1);"),
        ];
        var migrator = new SchemaMigrator(database, migrations);

        await Assert.ThrowsAnyAsync<DbException>(() => migrator.MigrateAsync());

        Assert.Equal(1, await migrator.GetCurrentVersionAsync());
        var schema = await DescribeSchemaAsync(database, includeOrleans: false);
        Assert.Contains("migration_probe_one", schema, StringComparison.Ordinal);
        Assert.DoesNotContain("migration_probe_two", schema, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.VerifyAsync());
    }

    private async Task<string> DescribeSchemaAsync(StorageDatabase database, bool includeOrleans = true)
    {
        var lines = new List<string>();
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using (var command = StorageDatabase.CreateCommand(connection, null, SchemaQuery))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

        if (!includeOrleans)
        {
            return string.Join('\n', lines);
        }

        lines.Add("rows: " + await CountAsync(connection, "SELECT count(*) FROM OrleansQuery;") + " queries, " + await CountAsync(connection, "SELECT count(*) FROM schema_version;") + " versions");
        return string.Join('\n', lines);
    }

    private static async Task<long> CountAsync(DbConnection connection, string sql)
    {
        await using var command = StorageDatabase.CreateCommand(connection, null, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SqliteSchemaMigratorTests : SchemaMigratorContract, IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    protected override string SchemaQuery => "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name;";

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaMigratorTests(PostgresServerFixture server) : SchemaMigratorContract
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();

    protected override string SchemaQuery =>
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns " +
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position;";
}
