namespace SupplyChainWatch.Domain;

/// <summary>One entry of the closed indicator list: the ILO indicator it evidences, its element and default strength.</summary>
public sealed record IndicatorDefinition(IndicatorCode Code, string IloIndicator, ForcedLabourElement Element, IndicatorStrength DefaultStrength);

/// <summary>
/// The closed list of indicator codes (risk-model.md §1). The element and default strength are part of the
/// model's definition, not tunable numbers, so they live in code; a submitter may override the strength per observation.
/// </summary>
public static class IndicatorCatalog
{
    private static readonly IndicatorDefinition[] Definitions =
    [
        new(IndicatorCode.DeceptionNatureOfWork, "deception", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong),
        new(IndicatorCode.DeceptionConditions, "deception", ForcedLabourElement.Involuntariness, IndicatorStrength.Medium),
        new(IndicatorCode.ExcessiveOvertimeImposed, "excessive overtime", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong),
        new(IndicatorCode.AbusiveLivingConditions, "abusive working and living conditions", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong),
        new(IndicatorCode.Isolation, "isolation", ForcedLabourElement.Involuntariness, IndicatorStrength.Medium),
        new(IndicatorCode.DebtLinkedRecruitment, "debt bondage", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong),
        new(IndicatorCode.NoFreedomToResign, "restriction of movement", ForcedLabourElement.Involuntariness, IndicatorStrength.Strong),
        new(IndicatorCode.RestrictionOfMovement, "restriction of movement", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.PhysicalSexualViolence, "physical and sexual violence", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.ThreatViolenceOrDenunciation, "intimidation and threats", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.ThreatDismissalOrFinancialPenalty, "intimidation and threats", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Medium),
        new(IndicatorCode.DocumentRetention, "retention of identity documents", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.WageWithholding, "withholding of wages", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.DebtManipulation, "debt bondage", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Strong),
        new(IndicatorCode.AbuseOfVulnerability, "abuse of vulnerability", ForcedLabourElement.MenaceOfPenalty, IndicatorStrength.Medium),
    ];

    /// <summary>All fifteen definitions in the order of the specification.</summary>
    public static IReadOnlyList<IndicatorDefinition> All => Definitions;

    public static IndicatorDefinition Get(IndicatorCode code)
    {
        var index = (int)code;
        if ((uint)index >= (uint)Definitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown indicator code.");
        }

        return Definitions[index];
    }

    public static ForcedLabourElement ElementOf(IndicatorCode code) => Get(code).Element;

    public static IndicatorStrength DefaultStrengthOf(IndicatorCode code) => Get(code).DefaultStrength;

    /// <summary>The specification's spelling of a code (e.g. <c>deception-nature-of-work</c>).</summary>
    public static string WireName(IndicatorCode code) => KebabCase.Of(code.ToString());
}

/// <summary>PascalCase to kebab-case, the same rule the API's JSON naming policy applies.</summary>
public static class KebabCase
{
    public static string Of(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Of(value.ToString());
}
