using System.Security.Cryptography;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>
/// The keyed MAC (HMAC-SHA256) of a grievance's confidential text, by which a resubmission is told apart from a
/// conflicting one. An unsalted digest of a phone number falls to a few thousand guesses, so the service never writes
/// one any more; this MAC needs a 256-bit key that only the service holds. Keys live in <c>confidential_mac_keys</c>,
/// each encrypted with Data Protection (its own purpose), so a copy of that table alone is useless; a new key is made
/// when the newest is older than <see cref="RotationPeriod"/>, and old keys stay to check the MACs made with them
/// (every MAC names its key: <c>{keyId}:{hex}</c>). The MAC never leaves the vault table.
/// </summary>
public sealed class ConfidentialTextMac(StorageDatabase database, IConfidentialTextProtector keyProtector, TimeProvider time) : IDisposable
{
    /// <summary>Key of the <see cref="IConfidentialTextProtector"/> service that encrypts the MAC keys at rest.</summary>
    public const string KeyProtectorKey = "confidential-mac-keys";

    public static readonly TimeSpan RotationPeriod = TimeSpan.FromDays(90);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, (byte[] Key, DateTimeOffset CreatedAt)> _keys = new(StringComparer.Ordinal);

    public void Dispose() => _gate.Dispose();

    /// <summary>The MAC of <paramref name="narrative"/> and <paramref name="reporterContact"/> under the current key.</summary>
    public async Task<string> ComputeAsync(string? narrative, string? reporterContact, CancellationToken cancellationToken)
    {
        var (keyId, key) = await CurrentKeyAsync(cancellationToken).ConfigureAwait(false);
        return Format(keyId, key, narrative, reporterContact);
    }

    /// <summary>
    /// Whether <paramref name="storedMac"/> is the MAC of this text under the key it names (in fixed time); false when the
    /// key is unknown or the MAC malformed.
    /// </summary>
    public async Task<bool> MatchesAsync(string storedMac, string? narrative, string? reporterContact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storedMac);
        var separator = storedMac.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }

        var keyId = storedMac[..separator];
        if (await KeyAsync(keyId, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedMac), Encoding.ASCII.GetBytes(Format(keyId, key, narrative, reporterContact)));
    }

    /// <summary>
    /// The MAC's input: each text as a presence byte, its UTF-8 length (4 bytes, big-endian) and its bytes, so that no two
    /// pairs (narrative, contact), absent or empty included, share an input.
    /// </summary>
    public static byte[] Input(string? narrative, string? reporterContact)
    {
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var text in new[] { narrative, reporterContact })
        {
            if (text is null)
            {
                stream.WriteByte(0);
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            stream.WriteByte(1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }

        return stream.ToArray();
    }

    private static string Format(string keyId, byte[] key, string? narrative, string? reporterContact) =>
        keyId + ":" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Input(narrative, reporterContact)));

    private async Task<(string KeyId, byte[] Key)> CurrentKeyAsync(CancellationToken cancellationToken)
    {
        if (Newest(_keys) is { } cached && time.GetUtcNow() - cached.CreatedAt < RotationPeriod)
        {
            return (cached.KeyId, cached.Key);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
            if (Newest(_keys) is not { } newest || time.GetUtcNow() - newest.CreatedAt >= RotationPeriod)
            {
                // Another silo may create one at the same moment: both keys are kept, and each MAC names its own.
                var key = RandomNumberGenerator.GetBytes(32);
                var keyId = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
                await StoreAsync(keyId, key, cancellationToken).ConfigureAwait(false);
                _keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
            }

            var current = Newest(_keys)!.Value;
            return (current.KeyId, current.Key);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]?> KeyAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(keyId, out var known))
        {
            return known.Key;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A key another silo made since this one last looked.
            _keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
            return _keys.TryGetValue(keyId, out var loaded) ? loaded.Key : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static (string KeyId, byte[] Key, DateTimeOffset CreatedAt)? Newest(Dictionary<string, (byte[] Key, DateTimeOffset CreatedAt)> keys) =>
        keys.Count == 0
            ? null
            : keys.OrderByDescending(k => k.Value.CreatedAt).ThenBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Value.Key, k.Value.CreatedAt)).First();

    private async Task<Dictionary<string, (byte[] Key, DateTimeOffset CreatedAt)>> LoadAsync(CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, (byte[] Key, DateTimeOffset CreatedAt)>(StringComparer.Ordinal);
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT key_id, protected_key, created_at FROM confidential_mac_keys");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys[reader.GetString(0)] = (Convert.FromBase64String(keyProtector.Unprotect(reader.GetString(1))), database.ReadTimestamp(reader, 2));
        }

        return keys;
    }

    private Task StoreAsync(string keyId, byte[] key, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await using var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO confidential_mac_keys (key_id, protected_key, created_at) VALUES (@id, @key, @at) ON CONFLICT (key_id) DO NOTHING");
                StorageDatabase.AddParameter(command, "@id", keyId);
                StorageDatabase.AddParameter(command, "@key", keyProtector.Protect(Convert.ToBase64String(key)));
                StorageDatabase.AddParameter(command, "@at", database.TimestampParameter(time.GetUtcNow()));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
}
