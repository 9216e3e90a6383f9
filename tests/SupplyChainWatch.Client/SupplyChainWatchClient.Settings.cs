namespace SupplyChainWatch.Client;

/// <summary>The one setting an integrator adds beside NSwag's generated client.</summary>
public partial class SupplyChainWatchClient
{
    /// <summary>
    /// Referral packages carry evidence as untyped JSON whose hashes are verified byte for byte; Json.NET would turn
    /// date-like strings in it into DateTime and write them back in another format, so strings stay strings.
    /// </summary>
    static partial void UpdateJsonSerializerSettings(Newtonsoft.Json.JsonSerializerSettings settings) =>
        settings.DateParseHandling = Newtonsoft.Json.DateParseHandling.None;
}
