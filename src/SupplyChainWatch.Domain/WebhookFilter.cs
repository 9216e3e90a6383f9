using System.Text.Json.Nodes;

namespace SupplyChainWatch.Domain;

/// <summary>
/// Which events of the subscribed types reach a webhook subscription: a pure rule, applied where outbox rows are written.
/// Empty lists match everything.
/// </summary>
/// <param name="Countries">ISO 3166-1 alpha-2 codes of the subject's country.</param>
/// <param name="Sectors">Sector codes (kebab-case) of the subject; recruiters have no sector, so a sector filter excludes them.</param>
/// <param name="MinBand">Lowest band (low, medium, high, critical) of the subject after the event.</param>
public sealed record WebhookFilter(IReadOnlyList<string> Countries, IReadOnlyList<string> Sectors, string? MinBand)
{
    public static readonly WebhookFilter None = new([], [], null);

    /// <summary>The bands' wire names, lowest first (from <see cref="RiskBand"/>, their one owner).</summary>
    public static IReadOnlyList<string> BandNames => Bands;

    private static readonly string[] Bands = [.. Enum.GetValues<RiskBand>().Select(b => KebabCase.Of(b))];

    public static int BandRank(string? band) => band is null ? -1 : Array.IndexOf(Bands, band);

    /// <summary>Whether an escalation event's data (as stored: band, country, sector fields) passes this filter.</summary>
    public bool Matches(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Countries.Count > 0 && !(data["country"]?.GetValue<string>() is { } country && Countries.Contains(country, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (Sectors.Count > 0 && !(data["sector"]?.GetValue<string>() is { } sector && Sectors.Contains(sector, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        return MinBand is null || BandRank(data["band"]?.GetValue<string>()) >= BandRank(MinBand);
    }
}
