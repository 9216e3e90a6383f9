using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class CurrencyConverterTests
{
    private static readonly CurrencyConverter Converter = ShippedConfig.Tables.Currency;

    [Fact]
    public void Rate_given_in_the_report_wins_over_the_configured_rate()
    {
        var reportRates = new Dictionary<string, decimal> { ["MYR"] = 0.25m };
        Assert.True(Converter.TryConvertToUsd(100m, "MYR", reportRates, out var usd, out _));
        Assert.Equal(25m, usd);
    }

    [Fact]
    public void Configured_rate_is_the_fallback()
    {
        Assert.True(Converter.TryConvertToUsd(100m, "myr", null, out var usd, out var missing));
        Assert.Equal(100m * ShippedConfig.Tables.FxRatesToUsd["MYR"], usd);
        Assert.Null(missing);
    }

    [Fact]
    public void Usd_needs_no_rate()
    {
        Assert.True(Converter.TryConvertToUsd(42m, "USD", null, out var usd, out _));
        Assert.Equal(42m, usd);
    }

    [Fact]
    public void Missing_rate_names_the_currency()
    {
        Assert.False(Converter.TryConvertToUsd(100m, "XOF", null, out _, out var missing));
        Assert.Equal("XOF", missing);
        var error = Assert.Throws<MissingExchangeRateException>(() => Converter.ToUsd(1m, "XOF", null));
        Assert.Equal("XOF", error.Currency);
    }

    [Fact]
    public void Fee_report_with_an_unconvertible_currency_is_found()
    {
        var report = Make.FeeReport(workerPaid: 500m, currency: "XOF");
        Assert.Equal("XOF", Converter.FindMissingCurrency(report));
    }

    [Fact]
    public void Fee_report_rate_makes_an_unknown_currency_convertible()
    {
        var report = Make.FeeReport(workerPaid: 500m, currency: "XOF", rates: new Dictionary<string, decimal> { ["XOF"] = 0.0016m });
        Assert.Null(Converter.FindMissingCurrency(report));
    }

    [Fact]
    public void Fee_amounts_are_converted_before_the_cost_ratio()
    {
        // 2,000 MYR paid at 0.25 = 500 USD over a 1,000 USD wage: ratio 0.5 → base 6.
        var report = Make.FeeReport(workerPaid: 2000m, currency: "MYR", rates: new Dictionary<string, decimal> { ["MYR"] = 0.25m });
        var group = Assert.Single(Make.EvaluateRecruiter(Make.Recruiter([report])).Explanation.FeeGroups);
        Assert.Equal(0.5, group.MedianCostRatio);
        Assert.Equal(6, group.FeeBase);
    }
}
