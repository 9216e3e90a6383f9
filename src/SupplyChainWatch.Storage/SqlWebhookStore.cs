using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Storage;

/// <summary>
/// Webhook subscriptions, the delivery outbox and the attempt log over SQLite or PostgreSQL. Outbox rows are inserted by
/// <see cref="SqlEscalationStore"/> inside the transaction that stores the events (<see cref="EnqueueAsync"/>), so no event
/// exists without its deliveries. Dispatchers claim due rows under a lease; on PostgreSQL the claim uses
/// <c>FOR UPDATE SKIP LOCKED</c> so silos never claim the same row, and an expired lease (a silo that died mid-send) makes
/// the row due again: it is re-sent with the same id. Every subscription query takes the owner and filters by it.
/// Timestamps here are wall-clock (<see cref="TimeProvider"/>), not the service clock: receivers check webhook-timestamp
/// against their own clocks.
/// </summary>
public sealed class SqlWebhookStore : IAsyncDisposable
{
    private const int MaxDeliveriesPerPage = 500;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly StorageDatabase _database;
    private readonly GroupCommitQueue<RecordRequest> _records;
    private readonly Channel<bool> _enqueued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly IConfidentialTextProtector _secrets;

    /// <summary>Key of the <see cref="IConfidentialTextProtector"/> service that encrypts signing secrets at rest.</summary>
    public const string SecretProtectorKey = "webhook-secrets";

    /// <summary>
    /// Key of an optional <see cref="TimeProvider"/> service the store (and so the dispatcher and its readiness entry)
    /// keeps time with; without one, the system clock. Tests register a controllable clock under it.
    /// </summary>
    public const string ClockKey = "webhook-clock";

    /// <param name="database">The store.</param>
    /// <param name="secretProtector">Encrypts signing secrets before they are written and decrypts them when read.</param>
    /// <param name="time">Wall clock.</param>
    public SqlWebhookStore(StorageDatabase database, IConfidentialTextProtector secretProtector, TimeProvider? time = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _secrets = secretProtector ?? throw new ArgumentNullException(nameof(secretProtector));
        Time = time ?? TimeProvider.System;
        // Attempt records are background writes: gathering them for 50 ms makes a few transactions a second out of a busy
        // dispatcher's dozens, each of which would otherwise queue at the store ahead of ingestion's writes.
        _records = new GroupCommitQueue<RecordRequest>(WriteRecordsAsync, static (r, e) => r.Completion.TrySetException(e), 256, TimeSpan.FromMilliseconds(50));
    }

    public TimeProvider Time { get; }

    /// <summary>Completes when outbox rows were committed since the last wait (dispatchers in this process wake at once).</summary>
    public ValueTask<bool> WaitForEnqueuedAsync(CancellationToken cancellationToken) => _enqueued.Reader.WaitToReadAsync(cancellationToken);

    public bool TakeEnqueuedSignal() => _enqueued.Reader.TryRead(out _);

    internal void NotifyEnqueued() => _enqueued.Writer.TryWrite(true);

    /// <summary>The <c>webhook-id</c> of one event for one subscription: deterministic, so re-enqueueing can never duplicate.</summary>
    public static string DeliveryId(string subscriptionId, string eventId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(subscriptionId + "\n" + eventId));
        return "msg_" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The delivered body, Standard Webhooks style: <c>{type, timestamp, data}</c>.</summary>
    public static string Body(StoredEscalation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var body = new JsonObject
        {
            ["type"] = e.Type,
            ["timestamp"] = e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["eventId"] = e.EventId,
            ["data"] = JsonNode.Parse(e.WebhookPayloadJson ?? e.PayloadJson),
        };
        return body.ToJsonString();
    }

    /// <summary>
    /// Inside the caller's transaction: one outbox row per (new event, enabled subscription whose types and filter match).
    /// Returns the number of rows written.
    /// </summary>
    public async Task<int> EnqueueAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<StoredEscalation> newEvents)
    {
        ArgumentNullException.ThrowIfNull(newEvents);
        if (newEvents.Count == 0)
        {
            return 0;
        }

        var subscriptions = new List<(string Id, HashSet<string> Types, WebhookFilter Filter)>();
        await using (var command = StorageDatabase.CreateCommand(connection, transaction, "SELECT id, event_types_json, filter_json FROM webhook_subscriptions WHERE enabled = 1;"))
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                subscriptions.Add((reader.GetString(0), [.. JsonSerializer.Deserialize<string[]>(reader.GetString(1), Json) ?? []],
                    JsonSerializer.Deserialize<WebhookFilter>(reader.GetString(2), Json) ?? WebhookFilter.None));
            }
        }

        if (subscriptions.Count == 0)
        {
            return 0;
        }

        var now = Time.GetUtcNow();
        var written = 0;
        foreach (var e in newEvents)
        {
            var data = JsonNode.Parse(e.WebhookPayloadJson ?? e.PayloadJson)?.AsObject() ?? [];
            string? body = null;
            foreach (var subscription in subscriptions.Where(s => s.Types.Contains(e.Type) && s.Filter.Matches(data)))
            {
                body ??= Body(e);
                await using var insert = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, body, status, attempt_count, next_attempt_at, created_at) " +
                    "VALUES (@id, @sub, @event, @type, @body, 'pending', 0, @now, @now) ON CONFLICT (subscription_id, event_id) DO NOTHING;");
                StorageDatabase.AddParameter(insert, "@id", DeliveryId(subscription.Id, e.EventId));
                StorageDatabase.AddParameter(insert, "@sub", subscription.Id);
                StorageDatabase.AddParameter(insert, "@event", e.EventId);
                StorageDatabase.AddParameter(insert, "@type", e.Type);
                StorageDatabase.AddParameter(insert, "@body", body);
                StorageDatabase.AddParameter(insert, "@now", _database.TimestampParameter(now));
                written += await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }

        return written;
    }

    public Task CreateAsync(WebhookSubscription s, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(s);
        return _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = StorageDatabase.CreateCommand(connection, transaction,
                "INSERT INTO webhook_subscriptions (id, owner, url, description, event_types_json, filter_json, secret, previous_secret, previous_secret_until, enabled, disabled_reason, created_at, updated_at) " +
                "VALUES (@id, @owner, @url, @description, @types, @filter, @secret, NULL, NULL, @enabled, NULL, @created, @updated);");
            StorageDatabase.AddParameter(command, "@id", s.Id);
            StorageDatabase.AddParameter(command, "@owner", s.Owner);
            StorageDatabase.AddParameter(command, "@url", s.Url);
            StorageDatabase.AddParameter(command, "@description", s.Description);
            StorageDatabase.AddParameter(command, "@types", JsonSerializer.Serialize(s.EventTypes, Json));
            StorageDatabase.AddParameter(command, "@filter", JsonSerializer.Serialize(s.Filter, Json));
            StorageDatabase.AddParameter(command, "@secret", _secrets.Protect(s.Secret));
            StorageDatabase.AddParameter(command, "@enabled", s.Enabled ? 1 : 0);
            StorageDatabase.AddParameter(command, "@created", _database.TimestampParameter(s.CreatedAt));
            StorageDatabase.AddParameter(command, "@updated", _database.TimestampParameter(s.UpdatedAt));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task<WebhookSubscription?> GetAsync(string owner, string id, CancellationToken cancellationToken = default)
    {
        var list = await QuerySubscriptionsAsync(owner, id, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public Task<IReadOnlyList<WebhookSubscription>> ListAsync(string owner, CancellationToken cancellationToken = default) =>
        QuerySubscriptionsAsync(owner, null, cancellationToken);

    /// <summary>Deletes the subscription with its deliveries and their attempts. False when the owner has no such subscription.</summary>
    public Task<bool> DeleteAsync(string owner, string id, CancellationToken cancellationToken = default) =>
        _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = StorageDatabase.CreateCommand(connection, transaction, "DELETE FROM webhook_subscriptions WHERE id = @id AND owner = @owner;");
            StorageDatabase.AddParameter(command, "@id", id);
            StorageDatabase.AddParameter(command, "@owner", owner);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await using var attempts = StorageDatabase.CreateCommand(connection, transaction,
                "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE subscription_id = @id);");
            StorageDatabase.AddParameter(attempts, "@id", id);
            await attempts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var deliveries = StorageDatabase.CreateCommand(connection, transaction, "DELETE FROM webhook_deliveries WHERE subscription_id = @id;");
            StorageDatabase.AddParameter(deliveries, "@id", id);
            await deliveries.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Makes <paramref name="newSecret"/> current; the current one keeps signing until <paramref name="previousUntil"/>.</summary>
    public async Task<WebhookSubscription?> RotateSecretAsync(string owner, string id, string newSecret, DateTimeOffset previousUntil, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var changed = await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = StorageDatabase.CreateCommand(connection, transaction,
                "UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_until = @until, secret = @secret, updated_at = @now WHERE id = @id AND owner = @owner;");
            StorageDatabase.AddParameter(command, "@until", _database.TimestampParameter(previousUntil));
            StorageDatabase.AddParameter(command, "@secret", _secrets.Protect(newSecret));
            StorageDatabase.AddParameter(command, "@now", _database.TimestampParameter(now));
            StorageDatabase.AddParameter(command, "@id", id);
            StorageDatabase.AddParameter(command, "@owner", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return changed == 0 ? null : await GetAsync(owner, id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookSubscription?> EnableAsync(string owner, string id, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var changed = await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = StorageDatabase.CreateCommand(connection, transaction,
                "UPDATE webhook_subscriptions SET enabled = 1, disabled_reason = NULL, updated_at = @now WHERE id = @id AND owner = @owner;");
            StorageDatabase.AddParameter(command, "@now", _database.TimestampParameter(now));
            StorageDatabase.AddParameter(command, "@id", id);
            StorageDatabase.AddParameter(command, "@owner", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            NotifyEnqueued();
        }

        return changed == 0 ? null : await GetAsync(owner, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deliveries of one of the owner's subscriptions, newest first, each with its attempts; null if not the owner's.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>?> ListDeliveriesAsync(string owner, string subscriptionId, string? status, int limit, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(owner, subscriptionId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT id, subscription_id, event_id, event_type, status, attempt_count, next_attempt_at, created_at, completed_at, last_error FROM webhook_deliveries " +
            "WHERE subscription_id = @sub" + (status is null ? "" : " AND status = @status") + " ORDER BY created_at DESC, id LIMIT @limit;");
        StorageDatabase.AddParameter(command, "@sub", subscriptionId);
        if (status is not null)
        {
            StorageDatabase.AddParameter(command, "@status", status);
        }

        StorageDatabase.AddParameter(command, "@limit", Math.Clamp(limit, 1, MaxDeliveriesPerPage));
        var rows = new List<WebhookDelivery>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new WebhookDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetInt32(5), _database.ReadTimestamp(reader, 6), _database.ReadTimestamp(reader, 7),
                    reader.IsDBNull(8) ? null : _database.ReadTimestamp(reader, 8), reader.IsDBNull(9) ? null : reader.GetString(9), []));
            }
        }

        if (rows.Count == 0)
        {
            return rows;
        }

        var attempts = rows.ToDictionary(r => r.Id, _ => new List<WebhookAttempt>(), StringComparer.Ordinal);
        await using (var attemptCommand = StorageDatabase.CreateCommand(connection, null, ""))
        {
            attemptCommand.CommandText = "SELECT delivery_id, attempted_at, status_code, latency_ms, outcome, error FROM webhook_attempts WHERE delivery_id IN "
                + StorageDatabase.InList(attemptCommand, "d", [.. attempts.Keys]) + " ORDER BY seq;";
            await using var reader = await attemptCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                attempts[reader.GetString(0)].Add(new WebhookAttempt(_database.ReadTimestamp(reader, 1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                    reader.GetInt64(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }

        return [.. rows.Select(r => r with { Attempts = attempts[r.Id] })];
    }

    /// <summary>Makes a delivered or dead delivery of the owner's due now again, with a fresh retry schedule and the same id.</summary>
    public async Task<ReplayResult> ReplayAsync(string owner, string deliveryId, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var result = await _database.WriteAsync(async (connection, transaction) =>
        {
            string status;
            bool enabled;
            await using (var find = StorageDatabase.CreateCommand(connection, transaction,
                "SELECT d.status, s.enabled FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = @id AND s.owner = @owner;"))
            {
                StorageDatabase.AddParameter(find, "@id", deliveryId);
                StorageDatabase.AddParameter(find, "@owner", owner);
                await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return ReplayResult.NotFound;
                }

                status = reader.GetString(0);
                enabled = reader.GetInt32(1) == 1;
            }

            if (status == WebhookDeliveryStatus.Pending)
            {
                return ReplayResult.StillPending;
            }

            if (!enabled)
            {
                return ReplayResult.SubscriptionDisabled;
            }

            await using var update = StorageDatabase.CreateCommand(connection, transaction,
                "UPDATE webhook_deliveries SET status = 'pending', attempt_count = 0, next_attempt_at = @now, lease_owner = NULL, lease_until = NULL, completed_at = NULL WHERE id = @id;");
            StorageDatabase.AddParameter(update, "@now", _database.TimestampParameter(now));
            StorageDatabase.AddParameter(update, "@id", deliveryId);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return ReplayResult.Replayed;
        }, cancellationToken).ConfigureAwait(false);
        if (result == ReplayResult.Replayed)
        {
            NotifyEnqueued();
        }

        return result;
    }

    /// <summary>
    /// Whether any delivery is due, read without taking the write path: idle polls of every silo then cost a read, not a
    /// write transaction competing with ingestion (on SQLite, for the one writer).
    /// </summary>
    public async Task<bool> AnyDueAsync(CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT 1 FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id " +
            "WHERE d.status = 'pending' AND s.enabled = 1 AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until < @now) LIMIT 1;");
        StorageDatabase.AddParameter(command, "@now", _database.TimestampParameter(now));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// When the longest-waiting due delivery of an enabled subscription became due (null when none is due), leased or
    /// not: a row that stays due for long means the dispatchers are stuck or far behind.
    /// </summary>
    public async Task<DateTimeOffset?> OldestDueAsync(CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT d.next_attempt_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id " +
            "WHERE d.status = 'pending' AND s.enabled = 1 AND d.next_attempt_at <= @now ORDER BY d.next_attempt_at LIMIT 1;");
        StorageDatabase.AddParameter(command, "@now", _database.TimestampParameter(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? _database.ReadTimestamp(reader, 0) : null;
    }

    /// <summary>
    /// Takes the lease of up to <paramref name="max"/> due deliveries of enabled subscriptions. A row whose lease expired
    /// (its dispatcher died between sending and recording) is due again.
    /// </summary>
    public Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string leaseOwner, int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var due = "SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id " +
            "WHERE d.status = 'pending' AND s.enabled = 1 AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until < @now) " +
            "ORDER BY d.next_attempt_at LIMIT @max";
        var sql = _database.IsPostgreSql
            ? $"WITH due AS ({due} FOR UPDATE OF d SKIP LOCKED) UPDATE webhook_deliveries w SET lease_owner = @owner, lease_until = @until FROM due WHERE w.id = due.id RETURNING w.id;"
            : $"UPDATE webhook_deliveries SET lease_owner = @owner, lease_until = @until WHERE id IN ({due}) RETURNING id;";
        return _database.WriteAsync<IReadOnlyList<ClaimedDelivery>>(async (connection, transaction) =>
        {
            var ids = new List<string>();
            await using (var claim = StorageDatabase.CreateCommand(connection, transaction, sql))
            {
                StorageDatabase.AddParameter(claim, "@now", _database.TimestampParameter(now));
                StorageDatabase.AddParameter(claim, "@max", max);
                StorageDatabase.AddParameter(claim, "@owner", leaseOwner);
                StorageDatabase.AddParameter(claim, "@until", _database.TimestampParameter(now + lease));
                await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            if (ids.Count == 0)
            {
                return [];
            }

            var claimed = new List<ClaimedDelivery>(ids.Count);
            await using var load = StorageDatabase.CreateCommand(connection, transaction, "");
            load.CommandText = "SELECT d.id, d.subscription_id, s.url, s.secret, s.previous_secret, s.previous_secret_until, d.body, d.attempt_count " +
                "FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id IN " + StorageDatabase.InList(load, "c", ids) + ";";
            await using (var reader = await load.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    claimed.Add(new ClaimedDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), _secrets.Unprotect(reader.GetString(3)),
                        reader.IsDBNull(4) ? null : _secrets.Unprotect(reader.GetString(4)), reader.IsDBNull(5) ? null : _database.ReadTimestamp(reader, 5), reader.GetString(6), reader.GetInt32(7)));
                }
            }

            return claimed;
        }, cancellationToken);
    }

    /// <summary>Records an attempt and the delivery's next state (group-committed with other dispatch results).</summary>
    public Task RecordAsync(DeliveryOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var request = new RecordRequest(outcome, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _records.Enqueue(request);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _records.DisposeAsync();

    private async Task WriteRecordsAsync(IReadOnlyList<RecordRequest> batch)
    {
        await _database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var (o, _) in batch)
            {
                await using var attempt = StorageDatabase.CreateCommand(connection, transaction,
                    "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, outcome, error) VALUES (@id, @at, @code, @latency, @outcome, @error);");
                StorageDatabase.AddParameter(attempt, "@id", o.DeliveryId);
                StorageDatabase.AddParameter(attempt, "@at", _database.TimestampParameter(o.Attempt.AttemptedAt));
                StorageDatabase.AddParameter(attempt, "@code", o.Attempt.StatusCode);
                StorageDatabase.AddParameter(attempt, "@latency", o.Attempt.LatencyMs);
                StorageDatabase.AddParameter(attempt, "@outcome", o.Attempt.Outcome);
                StorageDatabase.AddParameter(attempt, "@error", o.Attempt.Error);
                await attempt.ExecuteNonQueryAsync().ConfigureAwait(false);

                // Only a pending row moves on: a row deleted with its subscription, or replayed meanwhile, stays as it is.
                await using var update = StorageDatabase.CreateCommand(connection, transaction,
                    "UPDATE webhook_deliveries SET status = @status, attempt_count = attempt_count + 1, next_attempt_at = @next, lease_owner = NULL, lease_until = NULL, " +
                    "completed_at = @completed, last_error = @error WHERE id = @id AND status = 'pending';");
                StorageDatabase.AddParameter(update, "@status", o.NextStatus);
                StorageDatabase.AddParameter(update, "@next", _database.TimestampParameter(o.NextAttemptAt));
                StorageDatabase.AddParameter(update, "@completed", o.NextStatus == WebhookDeliveryStatus.Pending ? null : _database.TimestampParameter(o.Attempt.AttemptedAt));
                StorageDatabase.AddParameter(update, "@error", o.Attempt.Error);
                StorageDatabase.AddParameter(update, "@id", o.DeliveryId);
                await update.ExecuteNonQueryAsync().ConfigureAwait(false);

                if (o.DisableReason is not null)
                {
                    await using var disable = StorageDatabase.CreateCommand(connection, transaction,
                        "UPDATE webhook_subscriptions SET enabled = 0, disabled_reason = @reason, updated_at = @at WHERE id = @id;");
                    StorageDatabase.AddParameter(disable, "@reason", o.DisableReason);
                    StorageDatabase.AddParameter(disable, "@at", _database.TimestampParameter(o.Attempt.AttemptedAt));
                    StorageDatabase.AddParameter(disable, "@id", o.SubscriptionId);
                    await disable.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }

            return true;
        }, CancellationToken.None).ConfigureAwait(false);

        foreach (var request in batch)
        {
            request.Completion.TrySetResult();
        }
    }

    private async Task<IReadOnlyList<WebhookSubscription>> QuerySubscriptionsAsync(string owner, string? id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT id, owner, url, description, event_types_json, filter_json, secret, previous_secret, previous_secret_until, enabled, disabled_reason, created_at, updated_at " +
            "FROM webhook_subscriptions WHERE owner = @owner" + (id is null ? "" : " AND id = @id") + " ORDER BY created_at, id;");
        StorageDatabase.AddParameter(command, "@owner", owner);
        if (id is not null)
        {
            StorageDatabase.AddParameter(command, "@id", id);
        }

        var list = new List<WebhookSubscription>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new WebhookSubscription(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                JsonSerializer.Deserialize<string[]>(reader.GetString(4), Json) ?? [],
                JsonSerializer.Deserialize<WebhookFilter>(reader.GetString(5), Json) ?? WebhookFilter.None,
                _secrets.Unprotect(reader.GetString(6)), reader.IsDBNull(7) ? null : _secrets.Unprotect(reader.GetString(7)), reader.IsDBNull(8) ? null : _database.ReadTimestamp(reader, 8),
                reader.GetInt32(9) == 1, reader.IsDBNull(10) ? null : reader.GetString(10), _database.ReadTimestamp(reader, 11), _database.ReadTimestamp(reader, 12)));
        }

        return list;
    }

    private sealed record RecordRequest(DeliveryOutcome Outcome, TaskCompletionSource Completion);
}
