using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Webhooks;

/// <summary>One attempt to deliver an event.</summary>
/// <param name="AttemptedAt">When it was sent.</param>
/// <param name="StatusCode">The receiver's HTTP status; absent when there was no answer. <example>503</example></param>
/// <param name="LatencyMs">Milliseconds until the answer (or the failure). <example>182</example></param>
/// <param name="Outcome">delivered, failed or gone (410). <example>failed</example></param>
/// <param name="Error">What went wrong, as a category only (never addresses, ports or DNS answers): dns_failure, connection_refused, connection_failed, timeout, tls_error, http_status, refused_address or protocol_error. <example>http_status</example></param>
public sealed record AttemptView(DateTimeOffset AttemptedAt, int? StatusCode, long LatencyMs, string Outcome, string? Error);

/// <summary>One event for one subscription, with every attempt.</summary>
/// <param name="Id">The webhook-id header: the same on every attempt and replay. <example>msg_2f0c5e1b7a9d4c3e8f6a1b2c3d4e5f60</example></param>
/// <param name="EventId">The escalation event. <example>sup:sunrise-2:4:case.escalated</example></param>
/// <param name="EventType">Its type. <example>case.escalated</example></param>
/// <param name="Status">pending, delivered or dead (dead letter: every attempt failed, or 410). <example>delivered</example></param>
/// <param name="AttemptCount">Attempts since it was created or last replayed. <example>2</example></param>
/// <param name="NextAttemptAt">When a pending delivery is tried next.</param>
/// <param name="CreatedAt">When the event entered the outbox.</param>
/// <param name="CompletedAt">When it was delivered or dead-lettered.</param>
/// <param name="LastError">The last attempt's error.</param>
/// <param name="Attempts">Every attempt, oldest first.</param>
public sealed record DeliveryView(
    string Id,
    string EventId,
    string EventType,
    string Status,
    int AttemptCount,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    string? LastError,
    IReadOnlyList<AttemptView> Attempts)
{
    public static DeliveryView From(WebhookDelivery d) => new(d.Id, d.EventId, d.EventType, d.Status, d.AttemptCount, d.NextAttemptAt, d.CreatedAt, d.CompletedAt, d.LastError,
        [.. d.Attempts.Select(a => new AttemptView(a.AttemptedAt, a.StatusCode, a.LatencyMs, a.Outcome, a.Error))]);
}

/// <summary>Deliveries of one subscription, newest first.</summary>
/// <param name="Items">Deliveries with their attempts.</param>
public sealed record DeliveryListView(IReadOnlyList<DeliveryView> Items);

/// <summary>A replay accepted: the delivery is due again with the same webhook-id.</summary>
/// <param name="Id">The webhook-id. <example>msg_2f0c5e1b7a9d4c3e8f6a1b2c3d4e5f60</example></param>
/// <param name="Status">pending. <example>pending</example></param>
public sealed record ReplayView(string Id, string Status);

public sealed record ListDeliveries(string Owner, string SubscriptionId, string? Status, int? Limit) : IRequest<CommandResult<DeliveryListView>>;

public sealed record ReplayDelivery(string Owner, string DeliveryId) : IRequest<CommandResult<ReplayView>>;

public sealed class DeliveryHandlers(SqlWebhookStore store) :
    IRequestHandler<ListDeliveries, CommandResult<DeliveryListView>>,
    IRequestHandler<ReplayDelivery, CommandResult<ReplayView>>
{
    public async ValueTask<CommandResult<DeliveryListView>> Handle(ListDeliveries request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (request.Status is not null && !WebhookDeliveryStatus.All.Contains(request.Status))
        {
            validation.Add("status", $"must be one of: {string.Join(", ", WebhookDeliveryStatus.All)}");
        }

        if (request.Limit is < 1 or > 500)
        {
            validation.Add("limit", "must be between 1 and 500");
        }

        if (!validation.IsValid)
        {
            return CommandResult<DeliveryListView>.From(validation);
        }

        var deliveries = await store.ListDeliveriesAsync(request.Owner, request.SubscriptionId, request.Status, request.Limit ?? 100, cancellationToken);
        return deliveries is null
            ? SubscriptionHandlers.NotFound<DeliveryListView>(request.SubscriptionId)
            : new CommandResult<DeliveryListView>.Ok(new DeliveryListView([.. deliveries.Select(DeliveryView.From)]), Created: false);
    }

    public async ValueTask<CommandResult<ReplayView>> Handle(ReplayDelivery request, CancellationToken cancellationToken) =>
        await store.ReplayAsync(request.Owner, request.DeliveryId, cancellationToken) switch
        {
            ReplayResult.Replayed => new CommandResult<ReplayView>.Ok(new ReplayView(request.DeliveryId, WebhookDeliveryStatus.Pending), Created: false),
            ReplayResult.StillPending => new CommandResult<ReplayView>.Conflict($"Delivery '{request.DeliveryId}' is still pending; only delivered or dead-lettered deliveries are replayed."),
            ReplayResult.SubscriptionDisabled => new CommandResult<ReplayView>.Conflict($"The subscription of delivery '{request.DeliveryId}' is disabled; enable it first."),
            _ => new CommandResult<ReplayView>.NotFound($"No webhook delivery '{request.DeliveryId}' of yours."),
        };
}
