using System.Globalization;
using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>The service's <c>migrate</c> command and start-up against migrated and unmigrated PostgreSQL databases, as real processes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MigrateCommandTests(PostgresServerFixture server)
{
    private static readonly Dictionary<string, string> NoMigrationAtStart = new() { ["Storage__MigrateOnStart"] = "false" };

    [Fact]
    public async Task Migrate_creates_everything_on_an_empty_database_and_a_second_run_changes_nothing()
    {
        var storage = await server.CreateDatabaseAsync();
        var data = TestPaths.NewTempDirectory();
        var empty = await DescribeSchemaAsync(storage);

        var first = await ServiceProcess.RunToExitAsync(data, ["migrate"], storage);
        var afterFirst = await DescribeSchemaAsync(storage);
        var second = await ServiceProcess.RunToExitAsync(data, ["migrate"], storage);
        var afterSecond = await DescribeSchemaAsync(storage);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"applied {SchemaMigrator.LoadMigrations(StorageProviderKind.PostgreSql).Count} version(s)", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("nothing to do", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("evidence_log", empty, StringComparison.Ordinal);
        foreach (var table in new[] { "evidence_log", "read_model", "escalation_events", "grievance_confidential", "orleansstorage", "orleansmembershiptable", "orleansreminderstable", "orleansquery", "schema_version" })
        {
            Assert.Contains($"table {table}", afterFirst, StringComparison.Ordinal);
        }

        Assert.Equal(afterFirst, afterSecond);
    }

    [Fact]
    public async Task The_service_starts_on_a_migrated_database_without_migrating_and_refuses_an_unmigrated_one()
    {
        var migrated = await server.CreateDatabaseAsync();
        var data = TestPaths.NewTempDirectory();
        Assert.Equal(0, (await ServiceProcess.RunToExitAsync(data, ["migrate"], migrated)).ExitCode);
        await using (var service = await ServiceProcess.StartAsync(data, NoMigrationAtStart, migrated))
        {
            using var client = service.CreateClient();
            (await client.PutJsonAsync("/api/v1/suppliers/mig-sup-1", Samples.Supplier())).Expect(HttpStatusCode.Created);
        }

        var unmigrated = await server.CreateDatabaseAsync();
        var started = DateTime.UtcNow;
        var refused = await ServiceProcess.RunToExitAsync(data, [], unmigrated, NoMigrationAtStart, TimeSpan.FromSeconds(60));

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("could not start", refused.Output, StringComparison.Ordinal);
        Assert.Contains("schema version 0", refused.Output, StringComparison.Ordinal);
        Assert.Contains("migrate", refused.Output, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the refusal was not fast");
        Assert.DoesNotContain("evidence_log", await DescribeSchemaAsync(unmigrated), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_server_exits_1_with_the_reason()
    {
        var nowhere = new StorageOptions
        {
            Provider = StorageOptions.PostgreSqlProvider,
            ConnectionString = $"Host=127.0.0.1;Port={FreePort.Next().ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=none;Timeout=3",
        };

        var result = await ServiceProcess.RunToExitAsync(TestPaths.NewTempDirectory(), ["migrate"], nowhere);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("migrate: FAILED", result.Output, StringComparison.Ordinal);
    }

    /// <summary>Tables, columns, constraints, indexes, the Orleans query texts and the applied versions.</summary>
    private static async Task<string> DescribeSchemaAsync(StorageOptions storage)
    {
        string[] queries =
        [
            "SELECT 'table ' || table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1;",
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1;",
            "SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1;",
            "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;",
            "SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1;",
            "SELECT 'query ' || querykey || ' ' || md5(querytext) FROM orleansquery ORDER BY 1;",
            "SELECT 'version ' || version || ' ' || name FROM schema_version ORDER BY 1;",
        ];
        await using var database = new StorageDatabase(storage);
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        var lines = new List<string>();
        foreach (var sql in queries)
        {
            if ((sql.Contains("orleansquery", StringComparison.Ordinal) || sql.Contains("schema_version", StringComparison.Ordinal)) && !lines.Contains("table schema_version"))
            {
                continue; // not created yet
            }

            await using var command = StorageDatabase.CreateCommand(connection, null, sql);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return string.Join('\n', lines);
    }
}
