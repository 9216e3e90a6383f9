namespace SupplyChainWatch.Domain;

/// <summary>A fee-report amount could not be converted to US dollars because no rate is known for a currency.</summary>
public sealed class MissingExchangeRateException : Exception
{
    public MissingExchangeRateException()
    {
    }

    public MissingExchangeRateException(string currency)
        : base($"No exchange rate to USD for currency '{currency}'")
    {
        Currency = currency;
    }

    public MissingExchangeRateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? Currency { get; }
}

/// <summary>
/// Converts ISO 4217 amounts to US dollars. A rate given in the fee report itself wins (it is the rate the
/// worker actually paid at); otherwise the configured rate applies; otherwise the currency is reported missing.
/// Rates are US dollars per one unit of the currency.
/// </summary>
public sealed class CurrencyConverter
{
    private readonly IReadOnlyDictionary<string, decimal> _configuredRates;

    public CurrencyConverter(IReadOnlyDictionary<string, decimal> configuredRatesToUsd)
    {
        ArgumentNullException.ThrowIfNull(configuredRatesToUsd);
        _configuredRates = configuredRatesToUsd;
    }

    public static bool IsCurrencyCode(string? code) =>
        code is { Length: 3 } && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]) && char.IsAsciiLetter(code[2]);

    /// <summary>Converts; on failure <paramref name="missingCurrency"/> is the currency code that has no rate.</summary>
    public bool TryConvertToUsd(decimal amount, string currency, IReadOnlyDictionary<string, decimal>? reportRatesToUsd, out decimal usd, out string? missingCurrency)
    {
        if (TryRate(currency, reportRatesToUsd, out var rate))
        {
            usd = amount * rate;
            missingCurrency = null;
            return true;
        }

        usd = 0;
        missingCurrency = currency;
        return false;
    }

    public bool TryConvertToUsd(Money money, IReadOnlyDictionary<string, decimal>? reportRatesToUsd, out decimal usd, out string? missingCurrency)
    {
        ArgumentNullException.ThrowIfNull(money);
        return TryConvertToUsd(money.Amount, money.Currency, reportRatesToUsd, out usd, out missingCurrency);
    }

    /// <summary>Converts or throws <see cref="MissingExchangeRateException"/> naming the currency.</summary>
    public decimal ToUsd(decimal amount, string currency, IReadOnlyDictionary<string, decimal>? reportRatesToUsd) =>
        TryConvertToUsd(amount, currency, reportRatesToUsd, out var usd, out var missing)
            ? usd
            : throw new MissingExchangeRateException(missing ?? currency);

    /// <summary>The first currency of a fee report (costs, then wage) that cannot be converted, or null when all can.</summary>
    public string? FindMissingCurrency(FeeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var cost in report.Costs)
        {
            if (!TryRate(cost.Currency, report.FxRatesToUsd, out _))
            {
                return cost.Currency;
            }
        }

        return TryRate(report.MonthlyWage.Currency, report.FxRatesToUsd, out _) ? null : report.MonthlyWage.Currency;
    }

    private bool TryRate(string? currency, IReadOnlyDictionary<string, decimal>? reportRates, out decimal rate)
    {
        rate = 0;
        if (!IsCurrencyCode(currency))
        {
            return false;
        }

        var code = currency!.ToUpperInvariant();
        if (code == "USD")
        {
            rate = 1m;
            return true;
        }

        if (reportRates is not null)
        {
            foreach (var pair in reportRates)
            {
                // Report keys come from JSON as written: accept any letter case.
                if (string.Equals(pair.Key, code, StringComparison.OrdinalIgnoreCase) && pair.Value > 0)
                {
                    rate = pair.Value;
                    return true;
                }
            }
        }

        if (_configuredRates.TryGetValue(code, out var configured) && configured > 0)
        {
            rate = configured;
            return true;
        }

        return false;
    }
}
