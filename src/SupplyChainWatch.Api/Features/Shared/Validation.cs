using System.Globalization;
using System.Text.Json;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>
/// Collects every problem with a request, field by field, so one 400 answer names them all
/// (RFC 9457 problem details with an <c>errors</c> map, as ASP.NET's validation problems have).
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public bool Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return false;
        }

        return true;
    }

    public bool Required<T>(string field, T? value)
        where T : class
    {
        if (value is null)
        {
            Add(field, "is required");
            return false;
        }

        return true;
    }

    public bool RequiredValue<T>(string field, T? value)
        where T : struct
    {
        if (value is null)
        {
            Add(field, "is required");
            return false;
        }

        return true;
    }

    /// <summary>Identifiers: 1–128 characters of letters, digits and <c>- _ . :</c> (they become URL segments and keys).</summary>
    public bool Id(string field, string? value)
    {
        if (!Required(field, value))
        {
            return false;
        }

        if (value!.Length > 128 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            Add(field, "must be 1-128 characters of letters, digits, '-', '_', '.' or ':'");
            return false;
        }

        return true;
    }

    public void OptionalId(string field, string? value)
    {
        if (value is not null)
        {
            Id(field, value);
        }
    }

    /// <summary>
    /// A subject named in a query parameter or body field: the typed key <c>sup:{supplierId}</c> or <c>rec:{recruiterId}</c>
    /// (<see cref="SubjectKeys"/>). Routes with the type in the path take bare ids instead.
    /// </summary>
    public bool SubjectKey(string field, string? value)
    {
        if (!Id(field, value))
        {
            return false;
        }

        if (!SubjectKeys.IsSubjectKey(value!))
        {
            Add(field, $"must be a subject key: expected {SubjectKeys.ExpectedForm}");
            return false;
        }

        return true;
    }

    public void OptionalSubjectKey(string field, string? value)
    {
        if (value is not null)
        {
            SubjectKey(field, value);
        }
    }

    /// <summary>
    /// Free text: bounded length, no control characters (they end up in logs and UIs) and no bidirectional or zero-width
    /// controls, except in <paramref name="prose"/> (a worker's own account, in any script, where marks such as U+200F
    /// or U+200C are part of writing it).
    /// </summary>
    public void Text(string field, string? value, int maxLength, bool required, bool prose = false)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return;
        }

        if (required && string.IsNullOrWhiteSpace(value))
        {
            Add(field, "must not be blank");
        }

        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }

        if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            Add(field, "must not contain control characters");
        }

        if (!prose && HasInvisibleFormatting(value))
        {
            Add(field, InvisibleFormattingRule);
        }
    }

    public const string InvisibleFormattingRule = "must not contain bidirectional or zero-width control characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF, U+061C)";

    /// <summary>
    /// Bidirectional overrides and isolates, zero-width characters and the byte-order mark: in a name, id or short text
    /// they only serve to make one string look like another (or reorder what a reader sees), so they are refused.
    /// </summary>
    public static bool HasInvisibleFormatting(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (c is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF' or '\u061C')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An ISO 3166-1 alpha-2 country code, upper case.</summary>
    public void Country(string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return;
        }

        if (value.Length != 2 || !value.All(char.IsAsciiLetterUpper))
        {
            Add(field, "must be an ISO 3166-1 alpha-2 country code such as 'MY'");
        }
    }

    /// <summary>An ISO 4217 currency code, upper case.</summary>
    public void Currency(string field, string? value)
    {
        if (!Required(field, value))
        {
            return;
        }

        if (value!.Length != 3 || !value.All(char.IsAsciiLetterUpper))
        {
            Add(field, "must be an ISO 4217 currency code such as 'USD'");
        }
    }

    /// <summary>Parses an enum from its kebab-case API spelling, naming the accepted values when it fails.</summary>
    public TEnum? Enum<TEnum>(string field, string? value, bool required)
        where TEnum : struct, System.Enum
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, "is required");
            }

            return null;
        }

        foreach (var candidate in System.Enum.GetValues<TEnum>())
        {
            if (string.Equals(KebabCase(candidate), value, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        // The submitted value is not echoed: free text in a wrong field may be confidential.
        Add(field, $"is not one of: {string.Join(", ", System.Enum.GetValues<TEnum>().Select(KebabCase))}");
        return null;
    }

    public void NotInFuture(string field, DateOnly? value, DateOnly today)
    {
        if (value is { } date && date > today)
        {
            Add(field, "must not be in the future");
        }
    }

    public void NotInFuture(string field, DateTimeOffset? value, DateTimeOffset now)
    {
        // A little slack: clocks of submitters drift.
        if (value is { } instant && instant > now.AddMinutes(5))
        {
            Add(field, "must not be in the future");
        }
    }

    /// <summary>
    /// An optional ISO 8601 instant from the query string (an offset or Z, or UTC assumed). Unreadable values and instants
    /// outside <see cref="DomainLimits"/> (0001-01-01 and 9999-12-31 would overflow the decay and deadline arithmetic) are
    /// errors naming the field.
    /// </summary>
    public DateTimeOffset? OptionalInstant(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            Add(field, "must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z");
            return null;
        }

        if (!DomainLimits.IsInstant(instant))
        {
            Add(field, DomainLimits.DateRule);
            return null;
        }

        return instant;
    }

    /// <summary>An optional date inside <see cref="DomainLimits"/> (1990-01-01 to 2100-12-31): what the engine can use.</summary>
    public void Date(string field, DateOnly? value)
    {
        if (value is { } date && !DomainLimits.IsDate(date))
        {
            Add(field, DomainLimits.DateRule);
        }
    }

    /// <summary>A number of workers affected inside <see cref="DomainLimits"/>.</summary>
    public void Workers(string field, int? value)
    {
        if (value is { } workers && !DomainLimits.IsWorkers(workers))
        {
            Add(field, DomainLimits.WorkersRule);
        }
    }

    /// <summary>An optional share of a workforce (0–1) inside <see cref="DomainLimits"/>.</summary>
    public void Share(string field, double? value)
    {
        if (value is { } share && !DomainLimits.IsShare(share))
        {
            Add(field, DomainLimits.ShareRule);
        }
    }

    public void MaxItems<T>(string field, IReadOnlyCollection<T>? items, int max)
    {
        if (items is not null && items.Count > max)
        {
            Add(field, $"must have at most {max} items");
        }
    }

    public static string KebabCase<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
