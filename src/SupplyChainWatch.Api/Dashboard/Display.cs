using System.Globalization;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Dashboard;

/// <summary>How the pages show bands, classifications and numbers: the API's wire names, MudBlazor's colours.</summary>
public static class Display
{
    /// <summary>Band colours, low to critical (the heat map and the band chart use the same order).</summary>
    public static readonly string[] BandPalette = ["#2e7d32", "#f9a825", "#ef6c00", "#c62828"];

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Validation.KebabCase(value);

    public static MudBlazor.Color Colour(RiskBand band) => band switch
    {
        RiskBand.Low => MudBlazor.Color.Success,
        RiskBand.Medium => MudBlazor.Color.Warning,
        RiskBand.High => MudBlazor.Color.Secondary,
        _ => MudBlazor.Color.Error,
    };

    public static MudBlazor.Color Colour(string band) => Colour(Enum.GetValues<RiskBand>().FirstOrDefault(b => Name(b) == band));

    public static MudBlazor.Color Colour(ForcedLabourClassification classification) => classification switch
    {
        ForcedLabourClassification.Indicated => MudBlazor.Color.Error,
        ForcedLabourClassification.IndicatedUnverified => MudBlazor.Color.Warning,
        ForcedLabourClassification.Risk => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    public static string Points(decimal points) => points.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Points(double points) => points.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Signed(int delta) => delta.ToString("+0;-0;0", CultureInfo.InvariantCulture);

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The dashboard path of a subject key (<c>sup:…</c>, <c>rec:…</c>).</summary>
    public static string SubjectHref(string subjectKey) =>
        SubjectKeys.IsSupplier(subjectKey) ? "/dashboard/suppliers/" + Uri.EscapeDataString(subjectKey[SubjectKeys.SupplierPrefix.Length..])
        : subjectKey.StartsWith(SubjectKeys.RecruiterPrefix, StringComparison.Ordinal) ? "/dashboard/recruiters/" + Uri.EscapeDataString(subjectKey[SubjectKeys.RecruiterPrefix.Length..])
        : "/dashboard";
}
