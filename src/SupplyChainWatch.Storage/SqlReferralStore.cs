using System.Data.Common;

namespace SupplyChainWatch.Storage;

/// <summary>A referral package as built, with what identifies it.</summary>
public sealed record StoredReferral(string ReferralId, string SubjectId, string CaseId, string RecipientType, string BuiltBy, DateTimeOffset BuiltAt, string PackageJson);

/// <summary>
/// One line of the referral access log: <c>Action</c> is build, refused or read; <c>Detail</c> says what was shared
/// (items, redactions, the override's justification) or why it was refused, never evidence content.
/// </summary>
public sealed record ReferralAccess(
    string? ReferralId,
    string SubjectId,
    string CaseId,
    string Action,
    string Actor,
    DateTimeOffset At,
    string RecipientType,
    string? OverrideKind,
    string Detail);

/// <summary>
/// Referral packages and their access log over SQLite or PostgreSQL. A build writes the package and its log line in
/// one transaction, so no package exists whose build is not on record.
/// </summary>
public sealed class SqlReferralStore(StorageDatabase database)
{
    public static class Actions
    {
        public const string Build = "build";
        public const string Refused = "refused";
        public const string Read = "read";
    }

    public Task SaveAsync(StoredReferral referral, ReferralAccess access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(referral);
        ArgumentNullException.ThrowIfNull(access);
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                await using (var command = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO referrals (referral_id, subject_id, case_id, recipient_type, built_by, built_at, package_json) " +
                    "VALUES (@id, @subject, @case, @recipient, @by, @at, @package)"))
                {
                    StorageDatabase.AddParameter(command, "@id", referral.ReferralId);
                    StorageDatabase.AddParameter(command, "@subject", referral.SubjectId);
                    StorageDatabase.AddParameter(command, "@case", referral.CaseId);
                    StorageDatabase.AddParameter(command, "@recipient", referral.RecipientType);
                    StorageDatabase.AddParameter(command, "@by", referral.BuiltBy);
                    StorageDatabase.AddParameter(command, "@at", database.TimestampParameter(referral.BuiltAt));
                    StorageDatabase.AddParameter(command, "@package", referral.PackageJson);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await InsertAccessAsync(connection, transaction, access, cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public Task LogAsync(ReferralAccess access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(access);
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                await InsertAccessAsync(connection, transaction, access, cancellationToken);
                return true;
            },
            cancellationToken);
    }

    public async Task<StoredReferral?> GetAsync(string referralId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT referral_id, subject_id, case_id, recipient_type, built_by, built_at, package_json FROM referrals WHERE referral_id = @id");
        StorageDatabase.AddParameter(command, "@id", referralId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredReferral(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                database.ReadTimestamp(reader, 5), reader.GetString(6))
            : null;
    }

    /// <summary>Access-log lines, oldest first; optionally of one subject's case only.</summary>
    public async Task<IReadOnlyList<ReferralAccess>> ListAccessAsync(string? subjectId, string? caseId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadConnectionAsync(cancellationToken);
        // Filters are added only when given: an untyped NULL parameter is an error on PostgreSQL.
        var where = new List<string>();
        await using var command = StorageDatabase.CreateCommand(connection, null, string.Empty);
        if (subjectId is not null)
        {
            where.Add("subject_id = @subject");
            StorageDatabase.AddParameter(command, "@subject", subjectId);
        }

        if (caseId is not null)
        {
            where.Add("case_id = @case");
            StorageDatabase.AddParameter(command, "@case", caseId);
        }

        StorageDatabase.AddParameter(command, "@limit", limit);
        command.CommandText = "SELECT referral_id, subject_id, case_id, action, actor, at, recipient_type, override_kind, detail FROM referral_access_log " +
            (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) + " " : string.Empty) + "ORDER BY seq LIMIT @limit";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<ReferralAccess>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new ReferralAccess(
                await reader.IsDBNullAsync(0, cancellationToken) ? null : reader.GetString(0),
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), database.ReadTimestamp(reader, 5), reader.GetString(6),
                await reader.IsDBNullAsync(7, cancellationToken) ? null : reader.GetString(7),
                reader.GetString(8)));
        }

        return lines;
    }

    private async Task InsertAccessAsync(DbConnection connection, DbTransaction transaction, ReferralAccess access, CancellationToken cancellationToken)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction,
            "INSERT INTO referral_access_log (referral_id, subject_id, case_id, action, actor, at, recipient_type, override_kind, detail) " +
            "VALUES (@id, @subject, @case, @action, @actor, @at, @recipient, @override, @detail)");
        StorageDatabase.AddParameter(command, "@id", access.ReferralId);
        StorageDatabase.AddParameter(command, "@subject", access.SubjectId);
        StorageDatabase.AddParameter(command, "@case", access.CaseId);
        StorageDatabase.AddParameter(command, "@action", access.Action);
        StorageDatabase.AddParameter(command, "@actor", access.Actor);
        StorageDatabase.AddParameter(command, "@at", database.TimestampParameter(access.At));
        StorageDatabase.AddParameter(command, "@recipient", access.RecipientType);
        StorageDatabase.AddParameter(command, "@override", access.OverrideKind);
        StorageDatabase.AddParameter(command, "@detail", access.Detail);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
