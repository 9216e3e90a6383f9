using System.Text.Json.Nodes;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class WebhookFilterTests
{
    private static JsonObject Data(string? country, string? sector, string? band) => new() { ["country"] = country, ["sector"] = sector, ["band"] = band };

    [Fact]
    public void Band_names_come_from_the_band_enum_lowest_first()
    {
        Assert.Equal(["low", "medium", "high", "critical"], WebhookFilter.BandNames);
    }

    [Theory]
    [InlineData("MY", "apparel", "high", true)]
    [InlineData("my", "Apparel", "critical", true)] // codes compare without case
    [InlineData("BD", "apparel", "high", false)] // other country
    [InlineData("MY", "electronics", "high", false)] // other sector
    [InlineData("MY", null, "high", false)] // a recruiter has no sector: a sector filter excludes it
    [InlineData("MY", "apparel", "medium", false)] // below the minimum band
    [InlineData("MY", "apparel", null, false)] // no band in the event: below any minimum
    public void A_filter_passes_only_events_of_its_countries_sectors_and_bands(string? country, string? sector, string? band, bool passes)
    {
        var filter = new WebhookFilter(["MY", "TH"], ["apparel"], "high");
        Assert.Equal(passes, filter.Matches(Data(country, sector, band)));
    }

    [Fact]
    public void The_empty_filter_passes_everything()
    {
        Assert.True(WebhookFilter.None.Matches(Data(null, null, null)));
        Assert.True(WebhookFilter.None.Matches(Data("BD", "electronics", "low")));
    }
}
