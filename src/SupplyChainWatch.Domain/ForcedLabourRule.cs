namespace SupplyChainWatch.Domain;

/// <summary>An indicator observation placed in its case, with its instant and evidence (internal working form).</summary>
internal readonly record struct CaseObservation(
    string CaseId,
    string SignalId,
    IndicatorCode Code,
    IndicatorStrength Strength,
    bool StrengthOverridden,
    EvidenceStatus Evidence,
    DateOnly ObservedOn,
    bool VerifiedRemediated)
{
    public ForcedLabourElement Element => IndicatorCatalog.ElementOf(Code);

    public ObservationUsed ToUsed() => new(SignalId, Code, Element, Strength, StrengthOverridden, Evidence, ObservedOn);
}

/// <summary>
/// Rule FL-1 (risk-model.md §2) for the observations of one case that lie inside the reference period.
/// </summary>
public static class ForcedLabourRule
{
    /// <summary>Evidence too weak for <c>indicated</c>: a case resting on it is at most <c>indicated-unverified</c>.</summary>
    public static bool IsUnverified(EvidenceStatus status) => status is EvidenceStatus.Alleged or EvidenceStatus.SelfAssessed;

    /// <summary>Evidence strong enough for a zero-tolerance floor.</summary>
    public static bool SupportsFloor(EvidenceStatus status) => status is EvidenceStatus.Verified or EvidenceStatus.Corroborated;

    /// <summary>Classifies a case from its observations (IndicatorCode, strength, evidence).</summary>
    public static ForcedLabourClassification Classify(IEnumerable<(IndicatorCode Code, IndicatorStrength Strength, EvidenceStatus Evidence)> observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var list = observations.Select((o, i) => new CaseObservation("", i.ToString(System.Globalization.CultureInfo.InvariantCulture), o.Code, o.Strength, false, o.Evidence, default, false)).ToList();
        return Classify("", list).Classification;
    }

    internal static CaseClassification Classify(string caseId, IReadOnlyList<CaseObservation> observations)
    {
        var signalIds = observations.Select(o => o.SignalId).Distinct(StringComparer.Ordinal).ToArray();
        if (observations.Count == 0)
        {
            return new CaseClassification(caseId, ForcedLabourClassification.None, [], [], null, signalIds);
        }

        // indicated: the I/P rule holds on observations of sufficient evidence alone.
        var anyUnverified = false;
        foreach (var o in observations)
        {
            anyUnverified |= IsUnverified(o.Evidence);
        }

        IReadOnlyList<CaseObservation> sufficient = anyUnverified ? observations.Where(o => !IsUnverified(o.Evidence)).ToList() : observations;
        if (IndicatedHolds(sufficient))
        {
            return Build(caseId, ForcedLabourClassification.Indicated, sufficient, signalIds);
        }

        // indicated-unverified: it holds only when alleged or self-assessed observations are counted.
        if (anyUnverified && IndicatedHolds(observations))
        {
            return Build(caseId, ForcedLabourClassification.IndicatedUnverified, observations, signalIds);
        }

        return Build(caseId, ForcedLabourClassification.Risk, observations, signalIds);
    }

    /// <summary>At least one I and one P, and at least one of those strong.</summary>
    private static bool IndicatedHolds(IReadOnlyList<CaseObservation> observations)
    {
        bool anyI = false, anyP = false, anyStrong = false;
        foreach (var o in observations)
        {
            if (o.Element == ForcedLabourElement.Involuntariness)
            {
                anyI = true;
            }
            else
            {
                anyP = true;
            }

            anyStrong |= o.Strength == IndicatorStrength.Strong;
        }

        return anyI && anyP && anyStrong;
    }

    private static CaseClassification Build(string caseId, ForcedLabourClassification classification, IReadOnlyList<CaseObservation> used, string[] signalIds)
    {
        var involuntariness = used.Where(o => o.Element == ForcedLabourElement.Involuntariness).Select(o => o.ToUsed()).ToArray();
        var menace = used.Where(o => o.Element == ForcedLabourElement.MenaceOfPenalty).Select(o => o.ToUsed()).ToArray();
        var weakest = used.Max(o => o.Evidence);
        return new CaseClassification(caseId, classification, involuntariness, menace, weakest, signalIds);
    }
}
