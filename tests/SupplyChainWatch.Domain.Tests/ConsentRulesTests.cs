using System.Text.Json;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

/// <summary>Issue 14, finding 5: the one rule of what each consent flag lets each audience see, and redaction that keeps the score.</summary>
public sealed class ConsentRulesTests
{
    [Fact]
    public void Each_flag_governs_its_own_audience_the_handler_sees_everything_and_unknown_consent_withholds()
    {
        foreach (var brand in new[] { false, true })
        {
            foreach (var ngo in new[] { false, true })
            {
                foreach (var law in new[] { false, true })
                {
                    var consent = new GrievanceConsent(brand, ngo, law);
                    Assert.Equal(GrievanceDisclosure.Full, ConsentRules.For(consent, DisclosureAudience.GrievanceHandler));
                    Assert.Equal(!brand, ConsentRules.For(consent, DisclosureAudience.Brand).Withheld);
                    Assert.Equal(!ngo, ConsentRules.For(consent, DisclosureAudience.Ngo).Withheld);
                    Assert.Equal(!law, ConsentRules.For(consent, DisclosureAudience.LawEnforcement).Withheld);
                    Assert.Equal(!(brand && ngo), ConsentRules.IsRestricted(consent));
                }
            }
        }

        Assert.Equal(GrievanceDisclosure.ContributionOnly, ConsentRules.For(null, DisclosureAudience.Brand));
        Assert.Equal(GrievanceDisclosure.Full, ConsentRules.For(null, DisclosureAudience.GrievanceHandler));
    }

    [Fact]
    public void A_withheld_grievance_keeps_its_points_under_a_withheld_term_and_nothing_names_it()
    {
        var grievance = Make.Grievance("SECRET-G1", allegations: [Make.Obs(IndicatorCode.PhysicalSexualViolence), Make.Obs(IndicatorCode.RestrictionOfMovement)],
            workers: 5, evidence: EvidenceStatus.Corroborated, imminentDanger: true, childInvolved: true);
        var finding = Make.Finding(category: FindingCategory.WorkingHours, severity: Severity.Minor, indicators: [Make.Obs(IndicatorCode.ExcessiveOvertimeImposed)]);
        var full = Make.EvaluateSupplier(Make.Supplier(findings: [finding], grievances: [grievance]));
        Assert.Contains("SECRET-G1", JsonSerializer.Serialize(full), StringComparison.Ordinal);

        var redacted = ConsentRules.Redact(full, new HashSet<string> { "SECRET-G1" });
        var text = JsonSerializer.Serialize(redacted);

        Assert.DoesNotContain("SECRET-G1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("physical-sexual-violence", text, StringComparison.Ordinal);
        Assert.DoesNotContain("restriction-of-movement", text, StringComparison.Ordinal);
        Assert.Empty(redacted.ZeroTolerance);
        Assert.Empty(redacted.Explanation.Floor.Triggers);
        Assert.Equal(full.Score, redacted.Score);
        Assert.Equal(full.Band, redacted.Band);
        Assert.Equal(full.ForcedLabour, redacted.ForcedLabour);
        Assert.Equal(full.Explanation.PointsTotal, redacted.Explanation.PointsTotal);
        Assert.Equal(redacted.Explanation.Evidence.Points, redacted.Explanation.Evidence.Terms.Sum(t => t.Points));
        Assert.Equal(
            full.Explanation.Evidence.Terms.Where(t => t.SignalId == "SECRET-G1").Sum(t => t.Points),
            redacted.Explanation.Evidence.Terms.Where(t => t.Code == ConsentRules.WithheldTerm).Sum(t => t.Points));
        Assert.Contains(redacted.Explanation.Evidence.Terms, t => t.SignalId == finding.SignalId); // the rest is untouched

        Assert.Same(full, ConsentRules.Redact(full, new HashSet<string>()));
    }

    [Fact]
    public void An_escalation_payload_loses_the_withheld_grievance_its_codes_triggers_and_case_but_keeps_the_rest()
    {
        var grievance = Make.Grievance("SECRET-G2", allegations: [Make.Obs(IndicatorCode.PhysicalSexualViolence)], evidence: EvidenceStatus.Corroborated, imminentDanger: true);
        var current = Make.EvaluateSupplier(Make.Supplier(grievances: [grievance]));
        var payload = new EscalationPayload("sup:1", current.Score, current.Band, 0, RiskBand.Low, current.ForcedLabour, "grievance:SECRET-G2", ForcedLabourClassification.Indicated, null,
            [.. current.ZeroTolerance.Select(h => h.Trigger)], ["SECRET-G2"], [IndicatorCode.PhysicalSexualViolence], current.ModelVersion);

        var redacted = ConsentRules.Redact(payload, current, new HashSet<string> { "SECRET-G2" });

        Assert.Null(redacted.CaseId);
        Assert.Empty(redacted.SignalIds);
        Assert.Empty(redacted.IndicatorCodes);
        Assert.Empty(redacted.Triggers);
        Assert.Equal(payload.Score, redacted.Score);
        Assert.Equal(payload.CaseClassification, redacted.CaseClassification);
        Assert.Same(payload, ConsentRules.Redact(payload, current, new HashSet<string> { "OTHER" }));
    }
}
