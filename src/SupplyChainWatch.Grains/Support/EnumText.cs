using System.Text.Json;

namespace SupplyChainWatch.Grains;

/// <summary>Enum values as the API spells them: kebab-case (<c>ZeroTolerance</c> → <c>zero-tolerance</c>).</summary>
public static class EnumText
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
