using System.Globalization;
using System.Text.Json;

namespace SupplyChainWatch.Domain;

/// <summary>The risk-model file is invalid; <see cref="Errors"/> names each bad key.</summary>
public sealed class RiskModelConfigurationException : Exception
{
    public RiskModelConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid risk model configuration: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public RiskModelConfigurationException()
        : this(["unknown error"])
    {
    }

    public RiskModelConfigurationException(string message)
        : this([message])
    {
    }

    public RiskModelConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// Binds <c>config/risk-model.json</c> to <see cref="RiskModel"/>. Binding is by hand rather than by a
/// configuration binder so that every missing, mistyped, out-of-range or unknown key is reported by its
/// full dotted path, all at once.
/// </summary>
public static class RiskModelLoader
{
    public static RiskModel Load(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new RiskModelConfigurationException("risk model is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            var r = new Reader();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RiskModelConfigurationException(["(root) must be a JSON object"]);
            }

            r.Known(root, "", "modelVersion", "referencePeriodMonths", "classification", "inherent", "evidence", "decay", "fees", "propagation", "management", "zeroTolerance", "bands", "grievances");
            var version = r.String(root, "", "modelVersion");
            var referenceMonths = r.Int(root, "", "referencePeriodMonths", 1, 240);

            var classification = r.Object(root, "", "classification", "requireSameStage");
            var requireSameStage = r.Bool(classification, "classification", "requireSameStage");

            var inh = r.Object(root, "", "inherent", "weight", "pointsPerUnit", "cap", "unknownCountryRisk", "unknownSectorRisk", "migrantOrAgencyShareThreshold", "migrantOrAgencyBump", "dolGoodsPoints", "uflpaSectorPoints", "recruiterDefaultSectorRisk");
            var inherent = new InherentOptions(
                r.Number(inh, "inherent", "weight", 0, 1),
                r.Number(inh, "inherent", "pointsPerUnit", 0, 100),
                r.Int(inh, "inherent", "cap", 1, 100),
                r.Int(inh, "inherent", "unknownCountryRisk", 1, 6),
                r.Int(inh, "inherent", "unknownSectorRisk", 1, 4),
                r.Number(inh, "inherent", "migrantOrAgencyShareThreshold", 0, 1),
                r.Int(inh, "inherent", "migrantOrAgencyBump", 0, 10),
                r.Int(inh, "inherent", "dolGoodsPoints", 0, 10),
                r.Int(inh, "inherent", "uflpaSectorPoints", 0, 10),
                r.Int(inh, "inherent", "recruiterDefaultSectorRisk", 1, 4));

            var ev = r.Object(root, "", "evidence", "max", "saturation", "base", "repeat", "confidence", "scale");
            var bas = r.Object(ev, "evidence", "base", "strongIndicator", "mediumIndicator", "grievanceWithoutAllegation", "severity");
            var sev = r.Object(bas, "evidence.base", "severity", "zeroTolerance", "critical", "major", "minor", "observation");
            var rep = r.Object(ev, "evidence", "repeat", "multiplier", "windowMonths");
            var conf = r.Object(ev, "evidence", "confidence", "verified", "corroborated", "reported", "alleged", "selfAssessed");
            var scale = r.Object(ev, "evidence", "scale", "log10Divisor");
            var evidence = new EvidenceOptions(
                r.Number(ev, "evidence", "max", 0, 100),
                r.Number(ev, "evidence", "saturation", 0.000001, 10_000),
                new BaseOptions(
                    r.Number(bas, "evidence.base", "strongIndicator", 0, 1000),
                    r.Number(bas, "evidence.base", "mediumIndicator", 0, 1000),
                    r.Number(bas, "evidence.base", "grievanceWithoutAllegation", 0, 1000),
                    new SeverityBaseOptions(
                        r.Number(sev, "evidence.base.severity", "zeroTolerance", 0, 1000),
                        r.Number(sev, "evidence.base.severity", "critical", 0, 1000),
                        r.Number(sev, "evidence.base.severity", "major", 0, 1000),
                        r.Number(sev, "evidence.base.severity", "minor", 0, 1000),
                        r.Number(sev, "evidence.base.severity", "observation", 0, 1000))),
                new RepeatOptions(
                    r.Number(rep, "evidence.repeat", "multiplier", 1, 10),
                    r.Int(rep, "evidence.repeat", "windowMonths", 0, 240)),
                new ConfidenceOptions(
                    r.Number(conf, "evidence.confidence", "verified", 0, 1),
                    r.Number(conf, "evidence.confidence", "corroborated", 0, 1),
                    r.Number(conf, "evidence.confidence", "reported", 0, 1),
                    r.Number(conf, "evidence.confidence", "alleged", 0, 1),
                    r.Number(conf, "evidence.confidence", "selfAssessed", 0, 1)),
                new ScaleOptions(r.Number(scale, "evidence.scale", "log10Divisor", 0.000001, 100)));

            var dec = r.Object(root, "", "decay", "halfLifeDays");
            var hl = r.Object(dec, "decay", "halfLifeDays", "open", "verifiedRemediated", "grievanceClosedUnverified", "feeReport", "feeReportReimbursed");
            var decay = new DecayOptions(new HalfLifeOptions(
                r.Number(hl, "decay.halfLifeDays", "open", 1, 100_000),
                r.Number(hl, "decay.halfLifeDays", "verifiedRemediated", 1, 100_000),
                r.Number(hl, "decay.halfLifeDays", "grievanceClosedUnverified", 1, 100_000),
                r.Number(hl, "decay.halfLifeDays", "feeReport", 1, 100_000),
                r.Number(hl, "decay.halfLifeDays", "feeReportReimbursed", 1, 100_000)));

            var fee = r.Object(root, "", "fees", "ratioThresholds", "base", "loanSurcharge", "loanWorkerShare");
            var thr = r.Object(fee, "fees", "ratioThresholds", "oneMonth", "threeMonths");
            var feeBase = r.Object(fee, "fees", "base", "none", "belowOneMonth", "oneToThreeMonths", "threeMonthsOrMore");
            var oneMonth = r.Number(thr, "fees.ratioThresholds", "oneMonth", 0.000001, 1000);
            var threeMonths = r.Number(thr, "fees.ratioThresholds", "threeMonths", 0.000001, 1000);
            if (oneMonth > 0 && threeMonths > 0 && threeMonths <= oneMonth)
            {
                r.Error("fees.ratioThresholds.threeMonths must be greater than fees.ratioThresholds.oneMonth");
            }

            var fees = new FeeOptions(
                new FeeRatioThresholds(oneMonth, threeMonths),
                new FeeBaseOptions(
                    r.Number(feeBase, "fees.base", "none", 0, 1000),
                    r.Number(feeBase, "fees.base", "belowOneMonth", 0, 1000),
                    r.Number(feeBase, "fees.base", "oneToThreeMonths", 0, 1000),
                    r.Number(feeBase, "fees.base", "threeMonthsOrMore", 0, 1000)),
                r.Number(fee, "fees", "loanSurcharge", 0, 1000),
                r.Number(fee, "fees", "loanWorkerShare", 0, 1));

            var prop = r.Object(root, "", "propagation", "factor", "max");
            var propagation = new PropagationOptions(r.Number(prop, "propagation", "factor", 0, 1), r.Number(prop, "propagation", "max", 0, 100));

            var man = r.Object(root, "", "management", "pointsPerOverdueAction", "max");
            var management = new ManagementOptions(r.Number(man, "management", "pointsPerOverdueAction", 0, 100), r.Number(man, "management", "max", 0, 100));

            var zt = r.Object(root, "", "zeroTolerance", "floor", "caseEscalationDueHours");
            var zeroTolerance = new ZeroToleranceOptions(r.Int(zt, "zeroTolerance", "floor", 0, 100), r.Number(zt, "zeroTolerance", "caseEscalationDueHours", 0, 24 * 365));

            var bandsElement = r.Object(root, "", "bands", "medium", "high", "critical");
            var bands = new BandOptions(
                r.Int(bandsElement, "bands", "medium", 1, 100),
                r.Int(bandsElement, "bands", "high", 1, 100),
                r.Int(bandsElement, "bands", "critical", 1, 100));
            if (bands.Medium > 0 && bands.High > 0 && bands.Critical > 0 && !(bands.Medium < bands.High && bands.High < bands.Critical))
            {
                r.Error("bands must increase: bands.medium < bands.high < bands.critical");
            }

            var gr = r.Object(root, "", "grievances", "acknowledgementDays");
            var grievances = new GrievanceOptions(r.Int(gr, "grievances", "acknowledgementDays", 0, 365));

            if (r.Errors.Count > 0)
            {
                throw new RiskModelConfigurationException(r.Errors);
            }

            return new RiskModel(version, referenceMonths, new ClassificationOptions(requireSameStage), inherent, evidence, decay, fees, propagation, management, zeroTolerance, bands, grievances);
        }
    }

    /// <summary>Reads values by dotted path, collecting one error per bad key instead of stopping at the first.</summary>
    private sealed class Reader
    {
        public List<string> Errors { get; } = [];

        public void Error(string message) => Errors.Add(message);

        private static string Path(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

        /// <summary>Reports keys the model does not know: a misspelt key would otherwise be silently ignored.</summary>
        public void Known(JsonElement element, string path, params string[] keys)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (Array.IndexOf(keys, property.Name) < 0)
                {
                    Errors.Add($"{Path(path, property.Name)} is not a known key");
                }
            }
        }

        private bool TryGet(JsonElement parent, string path, string key, out JsonElement value)
        {
            value = default;
            if (parent.ValueKind != JsonValueKind.Object)
            {
                // The parent itself was reported missing or mistyped: do not repeat for every child.
                return false;
            }

            if (!parent.TryGetProperty(key, out value) || value.ValueKind == JsonValueKind.Null)
            {
                Errors.Add($"{Path(path, key)} is missing");
                return false;
            }

            return true;
        }

        public JsonElement Object(JsonElement parent, string path, string key, params string[] knownKeys)
        {
            if (!TryGet(parent, path, key, out var value))
            {
                return default;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{Path(path, key)} must be an object");
                return default;
            }

            Known(value, Path(path, key), knownKeys);
            return value;
        }

        public string String(JsonElement parent, string path, string key)
        {
            if (!TryGet(parent, path, key, out var value))
            {
                return "";
            }

            if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                Errors.Add($"{Path(path, key)} must be a non-empty string");
                return "";
            }

            return value.GetString()!;
        }

        public bool Bool(JsonElement parent, string path, string key)
        {
            if (!TryGet(parent, path, key, out var value))
            {
                return false;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Errors.Add($"{Path(path, key)} must be true or false");
                return false;
            }

            return value.GetBoolean();
        }

        public double Number(JsonElement parent, string path, string key, double min, double max)
        {
            if (!TryGet(parent, path, key, out var value))
            {
                return 0;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                Errors.Add($"{Path(path, key)} must be a number");
                return 0;
            }

            if (number < min || number > max)
            {
                Errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Path(path, key)} must be between {min} and {max}"));
            }

            return number;
        }

        public int Int(JsonElement parent, string path, string key, int min, int max)
        {
            if (!TryGet(parent, path, key, out var value))
            {
                return 0;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            {
                Errors.Add($"{Path(path, key)} must be a whole number");
                return 0;
            }

            if (number < min || number > max)
            {
                Errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Path(path, key)} must be between {min} and {max}"));
            }

            return number;
        }
    }
}
