using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Command-line entry points that run instead of the web host: <c>migrate</c> applies the schema, and start-up failures
/// of the web host end the process with exit code 1 and one readable line instead of an unhandled-exception dump.
/// </summary>
public static class SchemaCommand
{
    public const string MigrateVerb = "migrate";

    public static bool IsMigrate(string[] args) => args.Length > 0 && string.Equals(args[0], MigrateVerb, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>migrate</c>: applies every pending schema version to the configured store (same configuration sources as the
    /// service: appsettings, environment, command line) and exits 0, or prints why it failed and exits 1. Each version
    /// runs in its own transaction, so a failure leaves the database at the last complete version.
    /// </summary>
    public static async Task<int> MigrateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args[1..], ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILogger<SchemaMigrator>>();
        try
        {
            await using var database = new StorageDatabase(options);
            var migrator = new SchemaMigrator(database, logger);
            var before = await migrator.GetCurrentVersionAsync();
            var applied = await migrator.MigrateAsync();
            await Console.Out.WriteLineAsync(applied == 0
                ? $"migrate: the {database.Provider} schema is already at version {before}; nothing to do."
                : $"migrate: applied {applied} version(s) to the {database.Provider} database: version {before} -> {migrator.LatestVersion}.");
            return 0;
        }
#pragma warning disable CA1031 // A command-line tool reports every failure as exit code 1 with its reason.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"migrate: FAILED, the database is left at its last complete schema version: {exception.GetBaseException().Message}");
            return 1;
        }
    }

    /// <summary>Runs the web host; a failure while starting (for example an unmigrated schema) exits 1 with its reason.</summary>
    public static async Task<int> RunServiceAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using (app)
        {
            try
            {
                await app.StartAsync();
            }
#pragma warning disable CA1031 // Start-up failures of any kind end the process with a readable reason.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                await Console.Error.WriteLineAsync($"SupplyChainWatch could not start: {exception.GetBaseException().Message}");
                return 1;
            }

            // Returns after SIGTERM/Ctrl+C once the host has stopped: the silo has left the cluster cleanly by then.
            await app.WaitForShutdownAsync();
            return 0;
        }
    }
}
