using System.Globalization;
using System.Text.Json;

namespace SupplyChainWatch.Domain;

/// <summary>A reference table could not be parsed; the message names the table, line and problem.</summary>
public sealed class ReferenceDataException : Exception
{
    public ReferenceDataException()
    {
    }

    public ReferenceDataException(string message)
        : base(message)
    {
    }

    public ReferenceDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One country's row of <c>config/country-risk.csv</c>.</summary>
public sealed record CountryRisk(string Iso2, double PrevalencePerThousand, int Risk);

/// <summary>One sector's row of <c>config/sector-risk.json</c>.</summary>
public sealed record SectorRisk(Sector Sector, int Risk, string Reason);

/// <summary>One good on the US DOL list (TVPRA) for one country.</summary>
public sealed record ListedGood(string Iso2, string Good, string Listing, string Edition)
{
    /// <summary>Normalised phrases (and singular forms) that name this good, computed once at parse time.</summary>
    internal string[] Phrases { get; } = ProductMatching.PhrasesOf(Good);
}

/// <summary>One UFLPA high-priority sector and the product keywords that place a product in it.</summary>
public sealed record UflpaSector(string Name, IReadOnlyList<string> Keywords, string Designated);

/// <summary>
/// Inherent-risk tables and currency rates shipped in <c>config/</c>. Parsed from the files' text (the host reads
/// the files), so a newer edition of any table is a data change, not a code change.
/// </summary>
public sealed class ReferenceTables
{
    private readonly Dictionary<string, CountryRisk> _countries;
    private readonly Dictionary<Sector, SectorRisk> _sectors;
    private readonly Dictionary<string, List<ListedGood>> _goodsByCountry;
    private readonly IReadOnlyList<UflpaSector> _uflpa;

    private ReferenceTables(
        Dictionary<string, CountryRisk> countries,
        Dictionary<Sector, SectorRisk> sectors,
        Dictionary<string, List<ListedGood>> goodsByCountry,
        IReadOnlyList<UflpaSector> uflpa,
        IReadOnlyDictionary<string, decimal> fxRatesToUsd)
    {
        _countries = countries;
        _sectors = sectors;
        _goodsByCountry = goodsByCountry;
        _uflpa = uflpa;
        FxRatesToUsd = fxRatesToUsd;
        Currency = new CurrencyConverter(fxRatesToUsd);
    }

    public IReadOnlyCollection<CountryRisk> Countries => _countries.Values;

    public IReadOnlyCollection<SectorRisk> Sectors => _sectors.Values;

    public IReadOnlyList<UflpaSector> UflpaSectors => _uflpa;

    public IEnumerable<ListedGood> ListedGoods => _goodsByCountry.Values.SelectMany(g => g);

    public IReadOnlyDictionary<string, decimal> FxRatesToUsd { get; }

    /// <summary>Converter using the configured rates as fallback.</summary>
    public CurrencyConverter Currency { get; }

    /// <summary>Parses the five shipped texts: country-risk.csv, sector-risk.json, tvpra-goods.csv, uflpa-sectors.txt, fx-rates-usd.json.</summary>
    public static ReferenceTables Parse(string countryRiskCsv, string sectorRiskJson, string tvpraGoodsCsv, string uflpaSectorsText, string fxRatesUsdJson)
    {
        ArgumentNullException.ThrowIfNull(countryRiskCsv);
        ArgumentNullException.ThrowIfNull(sectorRiskJson);
        ArgumentNullException.ThrowIfNull(tvpraGoodsCsv);
        ArgumentNullException.ThrowIfNull(uflpaSectorsText);
        ArgumentNullException.ThrowIfNull(fxRatesUsdJson);
        return new ReferenceTables(
            ParseCountries(countryRiskCsv),
            ParseSectors(sectorRiskJson),
            ParseGoods(tvpraGoodsCsv),
            ParseUflpa(uflpaSectorsText),
            ParseFxRates(fxRatesUsdJson));
    }

    /// <summary>Country risk 1–6, or null when the country is not in the table (the model then uses its unknown-country value).</summary>
    public int? CountryRiskOf(string? iso2) =>
        iso2 is not null && _countries.TryGetValue(iso2.Trim(), out var row) ? row.Risk : null;

    /// <summary>Sector risk 1–4, or null when the sector is unknown.</summary>
    public int? SectorRiskOf(Sector? sector) =>
        sector is { } s && _sectors.TryGetValue(s, out var row) ? row.Risk : null;

    /// <summary>The first DOL-listed good of <paramref name="iso2"/> that one of the products names, or null.</summary>
    public ListedGood? FindListedGood(string? iso2, IReadOnlyList<string>? products)
    {
        if (iso2 is null || products is null || products.Count == 0 || !_goodsByCountry.TryGetValue(iso2.Trim(), out var goods))
        {
            return null;
        }

        foreach (var product in products)
        {
            var normalisedProduct = ProductMatching.Normalise(product);
            foreach (var good in goods)
            {
                if (ProductMatching.NamesAny(normalisedProduct, good.Phrases))
                {
                    return good;
                }
            }
        }

        return null;
    }

    /// <summary>The first UFLPA high-priority sector one of the products belongs to, or null.</summary>
    public UflpaSector? FindUflpaSector(IReadOnlyList<string>? products)
    {
        if (products is null || products.Count == 0)
        {
            return null;
        }

        foreach (var product in products)
        {
            var normalisedProduct = ProductMatching.Normalise(product);
            foreach (var sector in _uflpa)
            {
                foreach (var keyword in sector.Keywords)
                {
                    if (ProductMatching.ContainsPhrase(normalisedProduct, keyword))
                    {
                        return sector;
                    }
                }
            }
        }

        return null;
    }

    private static IEnumerable<(int LineNumber, string[] Fields)> CsvRows(string text, string table, string expectedHeader)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || !string.Equals(lines[0].Trim(), expectedHeader, StringComparison.Ordinal))
        {
            throw new ReferenceDataException($"{table}: line 1 must be the header '{expectedHeader}'");
        }

        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            yield return (i + 1, SplitCsvLine(lines[i]));
        }
    }

    /// <summary>RFC 4180 fields of one line (quoted fields may contain commas; no embedded new lines in these tables).</summary>
    private static string[] SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }

    private static Dictionary<string, CountryRisk> ParseCountries(string csv)
    {
        const string Table = "country-risk.csv";
        var result = new Dictionary<string, CountryRisk>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, f) in CsvRows(csv, Table, "iso2,prevalence_per_1000,risk"))
        {
            if (f.Length != 3 || f[0].Trim().Length != 2)
            {
                throw new ReferenceDataException($"{Table} line {line}: expected iso2,prevalence_per_1000,risk");
            }

            if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var prevalence) || prevalence < 0)
            {
                throw new ReferenceDataException($"{Table} line {line}: prevalence_per_1000 '{f[1]}' is not a non-negative number");
            }

            if (!int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var risk) || risk is < 1 or > 6)
            {
                throw new ReferenceDataException($"{Table} line {line}: risk '{f[2]}' must be 1 to 6");
            }

            var iso2 = f[0].Trim().ToUpperInvariant();
            if (!result.TryAdd(iso2, new CountryRisk(iso2, prevalence, risk)))
            {
                throw new ReferenceDataException($"{Table} line {line}: {iso2} appears twice");
            }
        }

        return result;
    }

    private static Dictionary<Sector, SectorRisk> ParseSectors(string json)
    {
        const string Table = "sector-risk.json";
        var result = new Dictionary<Sector, SectorRisk>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("sectors", out var sectors) || sectors.ValueKind != JsonValueKind.Object)
            {
                throw new ReferenceDataException($"{Table}: sectors is missing");
            }

            var byWireName = Enum.GetValues<Sector>().ToDictionary(s => KebabCase.Of(s), StringComparer.Ordinal);
            foreach (var property in sectors.EnumerateObject())
            {
                if (!byWireName.TryGetValue(property.Name, out var sector))
                {
                    throw new ReferenceDataException($"{Table}: sectors.{property.Name} is not a known sector");
                }

                if (!property.Value.TryGetProperty("risk", out var riskElement) || !riskElement.TryGetInt32(out var risk) || risk is < 1 or > 4)
                {
                    throw new ReferenceDataException($"{Table}: sectors.{property.Name}.risk must be 1 to 4");
                }

                var reason = property.Value.TryGetProperty("reason", out var reasonElement) ? reasonElement.GetString() : null;
                if (string.IsNullOrWhiteSpace(reason))
                {
                    throw new ReferenceDataException($"{Table}: sectors.{property.Name}.reason is missing");
                }

                result[sector] = new SectorRisk(sector, risk, reason);
            }

            foreach (var sector in Enum.GetValues<Sector>())
            {
                if (!result.ContainsKey(sector))
                {
                    throw new ReferenceDataException($"{Table}: sectors.{KebabCase.Of(sector)} is missing");
                }
            }
        }
        catch (JsonException ex)
        {
            throw new ReferenceDataException($"{Table}: not valid JSON: {ex.Message}", ex);
        }

        return result;
    }

    private static Dictionary<string, List<ListedGood>> ParseGoods(string csv)
    {
        const string Table = "tvpra-goods.csv";
        var result = new Dictionary<string, List<ListedGood>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, f) in CsvRows(csv, Table, "iso2,country,good,child_labour,forced_labour,listing,source_edition"))
        {
            if (f.Length != 7 || f[0].Trim().Length != 2 || f[2].Trim().Length == 0)
            {
                throw new ReferenceDataException($"{Table} line {line}: expected iso2,country,good,child_labour,forced_labour,listing,source_edition");
            }

            var iso2 = f[0].Trim().ToUpperInvariant();
            if (!result.TryGetValue(iso2, out var goods))
            {
                goods = [];
                result[iso2] = goods;
            }

            goods.Add(new ListedGood(iso2, f[2].Trim(), f[5].Trim(), f[6].Trim()));
        }

        return result;
    }

    private static List<UflpaSector> ParseUflpa(string text)
    {
        const string Table = "uflpa-sectors.txt";
        var result = new List<UflpaSector>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split('|');
            if (parts.Length != 3)
            {
                throw new ReferenceDataException($"{Table} line {i + 1}: expected 'sector | keywords | designated'");
            }

            var keywords = parts[1].Split(',').Select(ProductMatching.Normalise).Where(k => k.Length > 0).ToArray();
            if (keywords.Length == 0)
            {
                throw new ReferenceDataException($"{Table} line {i + 1}: no product keywords");
            }

            result.Add(new UflpaSector(parts[0].Trim(), keywords, parts[2].Trim()));
        }

        return result;
    }

    private static Dictionary<string, decimal> ParseFxRates(string json)
    {
        const string Table = "fx-rates-usd.json";
        var result = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("ratesToUsd", out var rates) || rates.ValueKind != JsonValueKind.Object)
            {
                throw new ReferenceDataException($"{Table}: ratesToUsd is missing");
            }

            foreach (var property in rates.EnumerateObject())
            {
                if (!CurrencyConverter.IsCurrencyCode(property.Name))
                {
                    throw new ReferenceDataException($"{Table}: ratesToUsd.{property.Name} is not an ISO 4217 code");
                }

                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDecimal(out var rate) || rate <= 0)
                {
                    throw new ReferenceDataException($"{Table}: ratesToUsd.{property.Name} must be a positive number");
                }

                result[property.Name.ToUpperInvariant()] = rate;
            }
        }
        catch (JsonException ex)
        {
            throw new ReferenceDataException($"{Table}: not valid JSON: {ex.Message}", ex);
        }

        return result;
    }
}

/// <summary>How a site's free-text product names are matched to listed goods and UFLPA keywords.</summary>
internal static class ProductMatching
{
    /// <summary>Lower case, punctuation to spaces, single spaces: "Cotton-Yarn " → "cotton yarn".</summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var lastWasSpace = true;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                lastWasSpace = false;
            }
            else if (!lastWasSpace)
            {
                builder.Append(' ');
                lastWasSpace = true;
            }
        }

        return builder.ToString().TrimEnd();
    }

    /// <summary>True when <paramref name="phrase"/> occurs in <paramref name="text"/> as whole words, allowing a plural 's' on the last word.</summary>
    public static bool ContainsPhrase(string text, string phrase)
    {
        if (phrase.Length == 0 || text.Length < phrase.Length)
        {
            return false;
        }

        var start = 0;
        while (true)
        {
            var index = text.IndexOf(phrase, start, StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            var end = index + phrase.Length;
            if (end < text.Length && (text[end] == 's'))
            {
                end++;
            }

            var startsAtWord = index == 0 || text[index - 1] == ' ';
            var endsAtWord = end == text.Length || text[end] == ' ';
            if (startsAtWord && endsAtWord)
            {
                return true;
            }

            start = index + 1;
        }
    }

    /// <summary>
    /// Phrases naming a DOL good: its name without the parenthesised qualifier, each slash-separated alternative,
    /// and the singular of a plural listing ("Tomatoes" → "tomato"), so "cotton yarn" names "Cotton".
    /// </summary>
    public static string[] PhrasesOf(string good)
    {
        var withoutQualifier = good;
        var parenthesis = good.IndexOf('(', StringComparison.Ordinal);
        if (parenthesis > 0)
        {
            withoutQualifier = good[..parenthesis];
        }

        var phrases = new List<string>();
        foreach (var alternative in withoutQualifier.Split('/'))
        {
            var phrase = Normalise(alternative);
            if (phrase.Length == 0)
            {
                continue;
            }

            phrases.Add(phrase);
            var singular = phrase.EndsWith("oes", StringComparison.Ordinal) ? phrase[..^2]
                : phrase.EndsWith('s') ? phrase[..^1]
                : null;
            if (singular is { Length: > 2 })
            {
                phrases.Add(singular);
            }
        }

        return [.. phrases];
    }

    public static bool NamesAny(string normalisedProduct, string[] phrases)
    {
        foreach (var phrase in phrases)
        {
            if (ContainsPhrase(normalisedProduct, phrase))
            {
                return true;
            }
        }

        return false;
    }
}
