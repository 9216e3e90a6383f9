namespace SupplyChainWatch.Domain;

/// <summary>What the worker who raised a grievance agreed to share, and with whom.</summary>
/// <param name="ShareWithBrand">The brand's compliance team (and the service's admins, who read what it reads) may identify the grievance.</param>
/// <param name="ShareWithNgo">NGOs may: webhook deliveries, and referral packages for NGOs and legal services.</param>
/// <param name="ShareWithLawEnforcement">Law enforcement and labour inspectorates may: their referral packages.</param>
public sealed record GrievanceConsent(bool ShareWithBrand, bool ShareWithNgo, bool ShareWithLawEnforcement);

/// <summary>Who is shown a grievance-derived signal.</summary>
public enum DisclosureAudience
{
    /// <summary>The grievance-handler role: everything but what the vault keeps behind its access log.</summary>
    GrievanceHandler,

    /// <summary>Risk views, explanations, profiles, lists and escalation lists (compliance and admin roles); the SSE stream.</summary>
    Brand,

    /// <summary>Webhook deliveries (NGO subscribers) and referral packages for NGOs and legal services.</summary>
    Ngo,

    /// <summary>Referral packages for law enforcement and labour inspectorates.</summary>
    LawEnforcement,
}

/// <summary>What of one grievance-derived signal an audience may be shown.</summary>
/// <param name="Id">The grievance id (and a case id made of it).</param>
/// <param name="AllegationCodes">Its allegation (indicator) codes.</param>
/// <param name="Flags">Its flags (imminent danger, child involved) and the zero-tolerance triggers and alerts they raise.</param>
public sealed record GrievanceDisclosure(bool Id, bool AllegationCodes, bool Flags)
{
    public static GrievanceDisclosure Full { get; } = new(true, true, true);

    /// <summary>Only its anonymous contribution to the score: its points, under a withheld term.</summary>
    public static GrievanceDisclosure ContributionOnly { get; } = new(false, false, false);

    public bool Withheld => !Id;
}

/// <summary>
/// The one rule of what each consent flag governs, for every channel (risk views, explanations, lists, escalations,
/// webhooks, the live stream, referral packages). Without the audience's consent a grievance shows only its anonymous
/// contribution: the score stays exactly what the evidence makes it, and its points appear under a withheld term, but
/// its id, allegation codes and flags do not appear anywhere that audience reads. Unknown consent withholds.
/// </summary>
public static class ConsentRules
{
    /// <summary>The signal id a withheld term or observation carries instead of the grievance id.</summary>
    public const string WithheldSignalId = "withheld";

    /// <summary>The code of a withheld evidence term.</summary>
    public const string WithheldTerm = "grievance (details withheld by the worker's consent)";

    public static GrievanceDisclosure For(GrievanceConsent? consent, DisclosureAudience audience) => audience switch
    {
        DisclosureAudience.GrievanceHandler => GrievanceDisclosure.Full,
        _ when consent is null => GrievanceDisclosure.ContributionOnly,
        DisclosureAudience.Brand => consent.ShareWithBrand ? GrievanceDisclosure.Full : GrievanceDisclosure.ContributionOnly,
        DisclosureAudience.Ngo => consent.ShareWithNgo ? GrievanceDisclosure.Full : GrievanceDisclosure.ContributionOnly,
        DisclosureAudience.LawEnforcement => consent.ShareWithLawEnforcement ? GrievanceDisclosure.Full : GrievanceDisclosure.ContributionOnly,
        _ => GrievanceDisclosure.ContributionOnly,
    };

    /// <summary>Whether some audience of risk views or webhooks may not identify the grievance (so ids built from it must not name it).</summary>
    public static bool IsRestricted(GrievanceConsent? consent) => For(consent, DisclosureAudience.Brand).Withheld || For(consent, DisclosureAudience.Ngo).Withheld;

    /// <summary>The grievances (id to consent, null when unknown) that <paramref name="audience"/> may not identify.</summary>
    public static IReadOnlySet<string> Withheld(IReadOnlyDictionary<string, GrievanceConsent?> consents, DisclosureAudience audience)
    {
        ArgumentNullException.ThrowIfNull(consents);
        return consents.Where(c => For(c.Value, audience).Withheld).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The evaluation as an audience that may not identify <paramref name="withheld"/> sees it: their evidence terms keep
    /// their points under <see cref="WithheldTerm"/>; their observations, triggers and alerts leave the lists (the
    /// classification and the floor they support stay); case ids made of them, and notes and quarantine entries naming
    /// them, are withheld. The score, band, classification and every points total are unchanged.
    /// </summary>
    public static RiskEvaluation Redact(RiskEvaluation evaluation, IReadOnlySet<string> withheld)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(withheld);
        if (withheld.Count == 0)
        {
            return evaluation;
        }

        var cases = evaluation.Cases.Select(c => RedactCase(c, withheld)).ToArray();
        var hits = evaluation.ZeroTolerance.Where(h => !withheld.Contains(h.SignalId)).ToArray();
        var explanation = evaluation.Explanation;
        var floor = explanation.Floor;
        if (floor.Applied)
        {
            var shown = hits.Select(h => h.Trigger).Distinct().Order().ToArray();
            floor = floor with
            {
                Triggers = shown,
                Reason = shown.Length == floor.Triggers.Count ? floor.Reason : "zero-tolerance trigger with verified or corroborated evidence" +
                    (shown.Length > 0 ? ": " + string.Join(", ", shown.Select(t => KebabCase.Of(t))) : string.Empty) + "; and evidence withheld by the worker's consent",
            };
        }

        explanation = explanation with
        {
            Evidence = explanation.Evidence with
            {
                Terms = [.. explanation.Evidence.Terms.Select(t => withheld.Contains(t.SignalId)
                    ? t with { SignalId = WithheldSignalId, Code = WithheldTerm, Strength = null, StrengthOverridden = false }
                    : t)],
            },
            Floor = floor,
            Cases = cases,
            Notes = [.. explanation.Notes.Select(n => withheld.Any(id => n.Contains(id, StringComparison.Ordinal)) ? "a note on evidence withheld by the worker's consent" : n)],
        };

        return evaluation with
        {
            ZeroTolerance = hits,
            PrecautionaryAlerts = [.. evaluation.PrecautionaryAlerts.Where(a => !withheld.Contains(a.SignalId)).Select(a => a with { CaseId = RedactCaseId(a.CaseId, withheld) })],
            Cases = cases,
            Explanation = explanation,
            Quarantined = [.. evaluation.Quarantined.Select(q => withheld.Contains(q.SignalId) ? new QuarantinedSignal(WithheldSignalId, "withheld by the worker's consent") : q)],
        };
    }

    /// <summary>
    /// An escalation payload as an audience that may not identify <paramref name="withheld"/> sees it: their signal ids,
    /// the codes and triggers only they contributed (judged from <paramref name="current"/>, the evaluation the event
    /// was derived from) and case ids made of them are left out. Scores, bands and classifications stay.
    /// </summary>
    public static EscalationPayload Redact(EscalationPayload payload, RiskEvaluation current, IReadOnlySet<string> withheld)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(withheld);
        var caseWithheld = payload.CaseId is { } caseId && current.Cases.FirstOrDefault(c => c.CaseId == caseId) is var found
            && (IsGrievanceCaseOf(caseId, withheld) || (found is not null && found.SignalIds.Count > 0 && found.SignalIds.All(withheld.Contains)));
        if (!caseWithheld && !payload.SignalIds.Any(withheld.Contains))
        {
            return payload;
        }

        var kept = payload.SignalIds.Where(s => !withheld.Contains(s)).ToArray();
        var keptSet = kept.ToHashSet(StringComparer.Ordinal);
        var observations = current.Cases.Where(c => payload.CaseId is null || c.CaseId == payload.CaseId)
            .SelectMany(c => c.Involuntariness.Concat(c.MenaceOfPenalty)).Where(o => keptSet.Contains(o.SignalId)).Select(o => o.Code);
        var hitCodes = current.ZeroTolerance.Where(h => keptSet.Contains(h.SignalId)).SelectMany(h => h.IndicatorCodes);
        var codes = observations.Concat(hitCodes).ToHashSet();
        var triggers = current.ZeroTolerance.Where(h => keptSet.Contains(h.SignalId)).Select(h => h.Trigger).ToHashSet();
        return payload with
        {
            CaseId = caseWithheld ? null : payload.CaseId,
            SignalIds = kept,
            IndicatorCodes = [.. payload.IndicatorCodes.Where(codes.Contains)],
            Triggers = [.. payload.Triggers.Where(triggers.Contains)],
        };
    }

    private static CaseClassification RedactCase(CaseClassification found, IReadOnlySet<string> withheld)
    {
        if (!found.SignalIds.Any(withheld.Contains) && !IsGrievanceCaseOf(found.CaseId, withheld))
        {
            return found;
        }

        var signalIds = found.SignalIds.Where(s => !withheld.Contains(s)).ToArray();
        return found with
        {
            CaseId = IsGrievanceCaseOf(found.CaseId, withheld) || signalIds.Length == 0 ? WithheldSignalId : found.CaseId,
            Involuntariness = [.. found.Involuntariness.Where(o => !withheld.Contains(o.SignalId))],
            MenaceOfPenalty = [.. found.MenaceOfPenalty.Where(o => !withheld.Contains(o.SignalId))],
            SignalIds = signalIds,
        };
    }

    private static string? RedactCaseId(string? caseId, IReadOnlySet<string> withheld) =>
        caseId is not null && IsGrievanceCaseOf(caseId, withheld) ? WithheldSignalId : caseId;

    /// <summary>A case id made of a grievance id (<c>grievance:{id}</c>, the case of a grievance without a caseRef).</summary>
    private static bool IsGrievanceCaseOf(string caseId, IReadOnlySet<string> withheld) =>
        caseId.StartsWith("grievance:", StringComparison.Ordinal) && withheld.Contains(caseId["grievance:".Length..]);
}
