using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>
/// Opaque keyset-paging cursors: base64url of a small text the stores parse back; clients must not build them. The API
/// checks a cursor here before a store sees it, so an unreadable one is a 400 naming the parameter, never a failed query.
/// </summary>
public static class Cursor
{
    /// <summary>What a 400 says about a cursor this service did not issue (or issued for another query).</summary>
    public const string Rule = "is not a cursor this list issued: pass nextCursor from the previous page, with the same sort";

    internal static string Encode(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));

    internal static string SubjectPage(bool descending, int score, string subjectId) =>
        Encode(string.Create(CultureInfo.InvariantCulture, $"{(descending ? "d" : "a")}|{score}|{subjectId}"));

    internal static string EscalationPage(long seq) => Encode("e|" + seq.ToString(CultureInfo.InvariantCulture));

    /// <summary>A subject-list cursor for the given sort order: the last page's score and subject id.</summary>
    public static bool TryReadSubjectPage(string cursor, bool descending, out int score, out string subjectId)
    {
        score = 0;
        subjectId = "";
        if (!TryDecode(cursor, out var text))
        {
            return false;
        }

        var parts = text.Split('|', 3);
        if (parts.Length != 3 || parts[0] != (descending ? "d" : "a") || parts[2].Length == 0
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out score))
        {
            return false;
        }

        subjectId = parts[2];
        return true;
    }

    /// <summary>An escalation-list cursor: the sequence of the last event of the previous page.</summary>
    public static bool TryReadEscalationPage(string cursor, out long seq)
    {
        seq = 0;
        return TryDecode(cursor, out var text) && text.StartsWith("e|", StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    private static bool TryDecode(string cursor, out string text)
    {
        text = "";
        if (cursor.Length is 0 or > 512)
        {
            return false;
        }

        try
        {
            // Strict UTF-8: a cursor this service issued always decodes; anything else is not ours.
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return false;
        }
    }
}
