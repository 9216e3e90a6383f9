using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>The evidence log's hash chain, in one place so writers and verifiers cannot drift apart.</summary>
public static class EvidenceHashing
{
    /// <summary>SHA-256 (lower-case hex) of the canonical content JSON's UTF-8 bytes.</summary>
    public static string ContentHash(string contentJson)
    {
        ArgumentNullException.ThrowIfNull(contentJson);
        return Sha256Hex(contentJson);
    }

    /// <summary>SHA-256 (lower-case hex) of <c>previous_hash|subject_id|subject_seq|idempotency_key|kind|content_hash</c>.</summary>
    public static string RowHash(string previousHash, string subjectId, long subjectSeq, string idempotencyKey, string kind, string contentHash) =>
        Sha256Hex(string.Join('|', previousHash, subjectId, subjectSeq.ToString(CultureInfo.InvariantCulture), idempotencyKey, kind, contentHash));

    /// <summary>A stable 64-bit key for a subject (PostgreSQL advisory locks); unlike string.GetHashCode it is the same in every process.</summary>
    public static long SubjectLockKey(string subjectId)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(subjectId), hash);
        return BitConverter.ToInt64(hash[..8]);
    }

    /// <remarks>The UTF-8 bytes go through a pooled buffer: a bulk import hashes every row's content and every row.</remarks>
    private static string Sha256Hex(string text)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
