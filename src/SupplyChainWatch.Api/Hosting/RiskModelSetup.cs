using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Loads the risk model and its reference tables from the config folder; a bad file stops start-up.</summary>
public static class RiskModelSetup
{
    public const string ConfigDirectoryKey = "RiskModel:ConfigDirectory";

    public static IServiceCollection AddRiskModel(this IServiceCollection services, IConfiguration configuration)
    {
        var directory = ConfigDirectory(configuration);
        string Read(string file) => File.ReadAllText(Path.Combine(directory, file));

        var tables = ReferenceTables.Parse(
            Read("country-risk.csv"), Read("sector-risk.json"), Read("tvpra-goods.csv"), Read("uflpa-sectors.txt"), Read("fx-rates-usd.json"));
        var engine = RiskEngine.FromConfig(Read("risk-model.json"), tables);
        services.AddSingleton(tables);
        services.AddSingleton(tables.Currency);
        services.AddSingleton(engine);
        return services;
    }

    /// <summary>The configured folder, else the copy next to the binaries, else the repository's <c>config/</c>.</summary>
    public static string ConfigDirectory(IConfiguration configuration)
    {
        if (configuration[ConfigDirectoryKey] is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "config");
        if (File.Exists(Path.Combine(besideBinaries, "risk-model.json")))
        {
            return besideBinaries;
        }

        throw new InvalidOperationException($"No risk model found: set {ConfigDirectoryKey} to the folder holding risk-model.json.");
    }
}
