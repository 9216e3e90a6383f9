using System.Buffers.Text;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>Opaque keyset-paging cursors: base64url of a small text the stores parse back; clients must not build them.</summary>
internal static class Cursor
{
    public static string Encode(string value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));

    public static string Decode(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException ex)
        {
            throw new ArgumentException("The cursor is not one this store issued.", nameof(cursor), ex);
        }
    }
}
