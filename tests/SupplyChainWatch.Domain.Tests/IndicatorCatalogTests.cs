using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class IndicatorCatalogTests
{
    public static TheoryData<IndicatorCode, string, ForcedLabourElement, IndicatorStrength> Specification => new()
    {
        { IndicatorCode.DeceptionNatureOfWork, "deception-nature-of-work", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong },
        { IndicatorCode.DeceptionConditions, "deception-conditions", ForcedLabourElement.Involuntariness, IndicatorStrength.Medium },
        { IndicatorCode.ExcessiveOvertimeImposed, "excessive-overtime-imposed", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong },
        { IndicatorCode.AbusiveLivingConditions, "abusive-living-conditions", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong },
        { IndicatorCode.Isolation, "isolation", ForcedLabourElement.Involuntariness, IndicatorStrength.Medium },
        { IndicatorCode.DebtLinkedRecruitment, "debt-linked-recruitment", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong },
        { IndicatorCode.NoFreedomToResign, "no-freedom-to-resign", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong },
        { IndicatorCode.RestrictionOfMovement, "restriction-of-movement", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.PhysicalSexualViolence, "physical-sexual-violence", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.ThreatViolenceOrDenunciation, "threat-violence-or-denunciation", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.ThreatDismissalOrFinancialPenalty, "threat-dismissal-or-financial-penalty", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Medium },
        { IndicatorCode.DocumentRetention, "document-retention", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.WageWithholding, "wage-withholding", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.DebtManipulation, "debt-manipulation", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong },
        { IndicatorCode.AbuseOfVulnerability, "abuse-of-vulnerability", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Medium },
    };

    [Theory]
    [MemberData(nameof(Specification))]
    public void Code_has_the_element_strength_and_wire_name_of_the_specification(IndicatorCode code, string wireName, ForcedLabourElement element, IndicatorStrength strength)
    {
        Assert.Equal(element, IndicatorCatalog.ElementOf(code));
        Assert.Equal(strength, IndicatorCatalog.DefaultStrengthOf(code));
        Assert.Equal(wireName, IndicatorCatalog.WireName(code));
    }

    [Theory]
    [MemberData(nameof(Specification))]
    public void Code_in_a_verified_finding_scores_its_default_base_and_classifies_as_risk_alone(IndicatorCode code, string wireName, ForcedLabourElement element, IndicatorStrength strength)
    {
        _ = element;
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(indicators: [Make.Obs(code)])]));
        var term = Assert.Single(evaluation.Explanation.Evidence.Terms);
        Assert.Equal(wireName, term.Code);
        Assert.Equal(strength == IndicatorStrength.Strong ? 30 : 12, term.Base);
        Assert.False(term.StrengthOverridden);
        // One element alone is never forced labour.
        Assert.Equal(ForcedLabourClassification.Risk, Assert.Single(evaluation.Cases).Classification);
    }

    [Fact]
    public void Catalog_holds_fifteen_codes_seven_involuntariness_eight_menace()
    {
        Assert.Equal(15, IndicatorCatalog.All.Count);
        Assert.Equal(7, IndicatorCatalog.All.Count(d => d.Element == ForcedLabourElement.Involuntariness));
        Assert.Equal(8, IndicatorCatalog.All.Count(d => d.Element == ForcedLabourElement.MenaceOfPenalty));
    }

    [Fact]
    public void Submitter_override_changes_the_base_and_shows_in_the_explanation()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(indicators: [Make.Obs(IndicatorCode.Isolation, IndicatorStrength.Strong)])]));
        var term = Assert.Single(evaluation.Explanation.Evidence.Terms);
        Assert.Equal(30, term.Base);
        Assert.True(term.StrengthOverridden);
        Assert.True(Assert.Single(evaluation.Cases[0].Involuntariness).StrengthOverridden);
    }

    [Fact]
    public void Override_equal_to_the_default_is_not_shown_as_a_change()
    {
        Assert.False(Make.Obs(IndicatorCode.Isolation, IndicatorStrength.Medium).StrengthOverridden);
    }

    [Theory]
    [InlineData(Severity.ZeroTolerance, "zero-tolerance")]
    [InlineData(Severity.Observation, "observation")]
    public void Enum_names_kebab_case_to_the_specification_strings(Severity severity, string expected)
    {
        Assert.Equal(expected, KebabCase.Of(severity));
        Assert.Equal("fishing-seafood", KebabCase.Of(Sector.FishingSeafood));
        Assert.Equal("rba-vap", KebabCase.Of(AuditStandard.RbaVap));
        Assert.Equal("self-assessed", KebabCase.Of(EvidenceStatus.SelfAssessed));
        Assert.Equal("indicated-unverified", KebabCase.Of(ForcedLabourClassification.IndicatedUnverified));
        Assert.Equal("verified-remediated", KebabCase.Of(FindingStatus.VerifiedRemediated));
        Assert.Equal("partially-founded", KebabCase.Of(GrievanceOutcome.PartiallyFounded));
        Assert.Equal("health-safety", KebabCase.Of(FindingCategory.HealthSafety));
    }
}
