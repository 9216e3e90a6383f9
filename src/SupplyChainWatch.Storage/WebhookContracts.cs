using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Storage;

/// <summary>A webhook subscription as stored. <see cref="Owner"/> is the caller that created it; every query filters by it.</summary>
public sealed record WebhookSubscription(
    string Id,
    string Owner,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    WebhookFilter Filter,
    string Secret,
    string? PreviousSecret,
    DateTimeOffset? PreviousSecretUntil,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";

    public static readonly string[] All = [Pending, Delivered, Dead];
}

/// <summary>One attempt to deliver: HTTP status (null when no response), latency and the error, if any.</summary>
public sealed record WebhookAttempt(DateTimeOffset AttemptedAt, int? StatusCode, long LatencyMs, string Outcome, string? Error);

/// <summary>One event for one subscription; <see cref="Id"/> is the <c>webhook-id</c> header, stable across retries and replays.</summary>
public sealed record WebhookDelivery(
    string Id,
    string SubscriptionId,
    string EventId,
    string EventType,
    string Status,
    int AttemptCount,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string? LastError,
    IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>A due delivery a dispatcher holds the lease of, with what it needs to send it.</summary>
public sealed record ClaimedDelivery(
    string Id,
    string SubscriptionId,
    string Url,
    string Secret,
    string? PreviousSecret,
    DateTimeOffset? PreviousSecretUntil,
    string Body,
    int AttemptCount);

/// <summary>
/// What one attempt ended in and what happens next: <paramref name="NextStatus"/> pending (retry at
/// <paramref name="NextAttemptAt"/>), delivered or dead; <paramref name="DisableReason"/> disables the subscription (410).
/// </summary>
public sealed record DeliveryOutcome(
    string DeliveryId,
    string SubscriptionId,
    WebhookAttempt Attempt,
    string NextStatus,
    DateTimeOffset NextAttemptAt,
    string? DisableReason);

public enum ReplayResult
{
    Replayed,
    NotFound,
    StillPending,
    SubscriptionDisabled,
}
