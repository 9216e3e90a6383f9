using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class ReferenceTablesTests
{
    [Fact]
    public void Country_risk_is_the_sextile_of_prevalence_recomputed_from_the_shipped_table()
    {
        var countries = ShippedConfig.Tables.Countries.ToList();
        Assert.Equal(160, countries.Count);

        // Nearest-rank sextile cut points: the value at rank ceil(k·n/6), k = 1..5; risk = 1 + cut points strictly below.
        var sorted = countries.Select(c => c.PrevalencePerThousand).Order().ToArray();
        var cuts = Enumerable.Range(1, 5).Select(k => sorted[(int)Math.Ceiling(k * sorted.Length / 6.0) - 1]).ToArray();
        foreach (var country in countries)
        {
            Assert.Equal(1 + cuts.Count(cut => country.PrevalencePerThousand > cut), country.Risk);
        }

        Assert.All(Enumerable.Range(1, 6), risk => Assert.InRange(countries.Count(c => c.Risk == risk), 25, 28));
    }

    [Fact]
    public void Unknown_country_has_no_table_risk_and_scores_the_model_default()
    {
        Assert.Null(ShippedConfig.Tables.CountryRiskOf("ZZ"));
        var evaluation = Make.EvaluateSupplier(Make.Supplier(profile: new SupplierProfile("x", "ZZ", Sector.Other, 10, 0, 0, [])));
        Assert.Equal(3, evaluation.Explanation.Inherent.CountryRisk);
        Assert.Contains("not in country-risk.csv", evaluation.Explanation.Inherent.CountrySource, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sector_has_a_risk_from_one_to_four_and_a_reason()
    {
        Assert.Equal(Enum.GetValues<Sector>().Length, ShippedConfig.Tables.Sectors.Count);
        Assert.All(ShippedConfig.Tables.Sectors, s =>
        {
            Assert.InRange(s.Risk, 1, 4);
            Assert.False(string.IsNullOrWhiteSpace(s.Reason));
        });
    }

    [Theory]
    [InlineData("CN", "cotton yarn", "Cotton")]
    [InlineData("MY", "Rubber gloves", "Rubber Gloves")]
    [InlineData("CN", "solar modules", "Solar Modules")]
    [InlineData("BR", "beef", "Beef")]
    public void Product_and_country_on_the_DOL_list_are_found(string country, string product, string good)
    {
        Assert.Equal(good, ShippedConfig.Tables.FindListedGood(country, [product])?.Good);
    }

    [Fact]
    public void Listed_good_from_another_country_is_not_a_match()
    {
        Assert.Null(ShippedConfig.Tables.FindListedGood("DE", ["cotton"]));
        Assert.Null(ShippedConfig.Tables.FindListedGood("CN", ["cottonwood furniture polish"]));
    }

    [Theory]
    [InlineData("polysilicon wafers", "silica-based products, including polysilicon")]
    [InlineData("frozen shrimp", "seafood")]
    [InlineData("Aluminium extrusions", "aluminum")]
    [InlineData("Men's garments", "apparel")]
    public void Product_in_a_UFLPA_sector_is_found(string product, string sector)
    {
        Assert.Equal(sector, ShippedConfig.Tables.FindUflpaSector([product])?.Name);
    }

    [Fact]
    public void Goods_and_UFLPA_raise_G_with_sources_in_the_explanation()
    {
        var profile = new SupplierProfile("Mill", "CN", Sector.Textiles, 500, 0.1, 0.1, ["cotton"]);
        var inherent = Make.EvaluateSupplier(Make.Supplier(profile: profile)).Explanation.Inherent;
        Assert.Equal(2, inherent.GoodsRisk);
        Assert.Equal(2, inherent.GoodsSources.Count);
        // C(CN) + S(textiles 4) + G 2, capped at 10, times 10.
        Assert.Equal(10 * Math.Min(10, inherent.CountryRisk + 4 + 2), inherent.Inherent);
    }

    [Fact]
    public void Malformed_table_names_file_and_line()
    {
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceTables.Parse(
            "iso2,prevalence_per_1000,risk\nAE,13.4,9\n", ShippedConfig.Read("sector-risk.json"), ShippedConfig.Read("tvpra-goods.csv"),
            ShippedConfig.Read("uflpa-sectors.txt"), ShippedConfig.Read("fx-rates-usd.json")));
        Assert.Contains("country-risk.csv line 2", error.Message, StringComparison.Ordinal);
    }
}
