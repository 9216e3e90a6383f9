using Mediator;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Api.Features.Escalations;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Webhooks;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Webhooks;

/// <summary>Which events of the subscribed types are delivered. Empty or absent lists match every value.</summary>
/// <param name="Countries">ISO 3166-1 alpha-2 countries of the subject. <example>["MY"]</example></param>
/// <param name="Sectors">Sectors of the subject (recruiters have none, so a sector filter excludes their events). <example>["apparel"]</example></param>
/// <param name="MinBand">Lowest band (low, medium, high, critical) of the subject after the event. <example>high</example></param>
public sealed record WebhookFilterBody(IReadOnlyList<string>? Countries, IReadOnlyList<string>? Sectors, string? MinBand);

/// <summary>A new webhook subscription.</summary>
/// <param name="Url">https target (http only for configured hosts); internal addresses are refused. <example>https://hotline.example.org/scw-webhooks</example></param>
/// <param name="Description">What the subscription is for. <example>Case intake of the Malaysia hotline</example></param>
/// <param name="EventTypes">Event types of risk-model.md §7. <example>["case.escalated", "forced_labour.indicated"]</example></param>
/// <param name="Filter">Optional filter on the subject of the event.</param>
public sealed record SubscriptionBody(string? Url, string? Description, IReadOnlyList<string>? EventTypes, WebhookFilterBody? Filter);

/// <summary>A webhook subscription (its secret is shown only when created or rotated).</summary>
/// <param name="Id">Subscription id.</param>
/// <param name="Url">Target URL.</param>
/// <param name="Description">What it is for.</param>
/// <param name="EventTypes">Subscribed event types.</param>
/// <param name="Filter">Filter on the event's subject.</param>
/// <param name="Enabled">False after the receiver answered 410 Gone, until enabled again.</param>
/// <param name="DisabledReason">Why it was disabled.</param>
/// <param name="PreviousSecretValidUntil">While set, deliveries carry a signature with the previous secret too.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record SubscriptionView(
    string Id,
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    WebhookFilterBody Filter,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset? PreviousSecretValidUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SubscriptionView From(WebhookSubscription s, DateTimeOffset now) => new(
        s.Id, s.Url, s.Description, s.EventTypes, new WebhookFilterBody(s.Filter.Countries, s.Filter.Sectors, s.Filter.MinBand), s.Enabled, s.DisabledReason,
        s.PreviousSecretUntil > now ? s.PreviousSecretUntil : null, s.CreatedAt, s.UpdatedAt);
}

/// <summary>A subscription with its signing secret: shown this once.</summary>
/// <param name="Subscription">The subscription.</param>
/// <param name="Secret">Signing secret: whsec_ + base64 of 32 random bytes. Store it now; it is never shown again. <example>whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw</example></param>
public sealed record SubscriptionSecretView(SubscriptionView Subscription, string Secret);

/// <summary>The caller's subscriptions.</summary>
/// <param name="Items">Oldest first.</param>
public sealed record SubscriptionListView(IReadOnlyList<SubscriptionView> Items);

public sealed record CreateSubscription(string Owner, SubscriptionBody? Body) : IRequest<CommandResult<SubscriptionSecretView>>;

public sealed record GetSubscription(string Owner, string SubscriptionId) : IRequest<CommandResult<SubscriptionView>>;

public sealed record ListSubscriptions(string Owner) : IRequest<CommandResult<SubscriptionListView>>;

public sealed record DeleteSubscription(string Owner, string SubscriptionId) : IRequest<CommandResult<bool>>;

public sealed record RotateSubscriptionSecret(string Owner, string SubscriptionId) : IRequest<CommandResult<SubscriptionSecretView>>;

public sealed record EnableSubscription(string Owner, string SubscriptionId) : IRequest<CommandResult<SubscriptionView>>;

public sealed class SubscriptionHandlers(SqlWebhookStore store, WebhookTargetPolicy policy, IOptions<WebhookOptions> options) :
    IRequestHandler<CreateSubscription, CommandResult<SubscriptionSecretView>>,
    IRequestHandler<GetSubscription, CommandResult<SubscriptionView>>,
    IRequestHandler<ListSubscriptions, CommandResult<SubscriptionListView>>,
    IRequestHandler<DeleteSubscription, CommandResult<bool>>,
    IRequestHandler<RotateSubscriptionSecret, CommandResult<SubscriptionSecretView>>,
    IRequestHandler<EnableSubscription, CommandResult<SubscriptionView>>
{
    private static readonly IReadOnlyList<string> Bands = WebhookFilter.BandNames;
    private static readonly string[] Sectors = [.. Enum.GetValues<Sector>().Select(Validation.KebabCase)];

    public async ValueTask<CommandResult<SubscriptionSecretView>> Handle(CreateSubscription request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var body = request.Body;
        if (!validation.Required("body", body))
        {
            return CommandResult<SubscriptionSecretView>.From(validation);
        }

        if (validation.Required("url", body!.Url))
        {
            if (body.Url!.Length > 2048)
            {
                validation.Add("url", "must be at most 2048 characters");
            }
            else if (body.Url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                validation.Add("url", "must not contain whitespace or control characters");
            }
            else if (policy.CheckSubscriptionUrl(body.Url) is { } problem)
            {
                validation.Add("url", problem);
            }
        }

        validation.Text("description", body.Description, 500, required: false);
        // Bounded lists: a subscription is matched against every event, so its size is part of the delivery cost.
        validation.MaxItems("eventTypes", body.EventTypes, ListEscalationsHandler.Types.Length);
        validation.MaxItems("filter.countries", body.Filter?.Countries, 250);
        validation.MaxItems("filter.sectors", body.Filter?.Sectors, Sectors.Length);
        if (body.EventTypes is not { Count: > 0 })
        {
            validation.Add("eventTypes", "must list at least one event type");
        }
        else
        {
            for (var i = 0; i < body.EventTypes.Count; i++)
            {
                if (!ListEscalationsHandler.Types.Contains(body.EventTypes[i]))
                {
                    validation.Add($"eventTypes[{i}]", $"must be one of: {string.Join(", ", ListEscalationsHandler.Types)}");
                }
            }
        }

        var filter = body.Filter ?? new WebhookFilterBody(null, null, null);
        var countries = filter.Countries ?? [];
        for (var i = 0; i < countries.Count; i++)
        {
            if (countries[i] is not { Length: 2 } code || !code.All(char.IsAsciiLetterUpper))
            {
                validation.Add($"filter.countries[{i}]", "must be an ISO 3166-1 alpha-2 code in capitals");
            }
        }

        var sectors = filter.Sectors ?? [];
        for (var i = 0; i < sectors.Count; i++)
        {
            if (!Sectors.Contains(sectors[i]))
            {
                validation.Add($"filter.sectors[{i}]", $"must be one of: {string.Join(", ", Sectors)}");
            }
        }

        if (filter.MinBand is not null && !Bands.Contains(filter.MinBand))
        {
            validation.Add("filter.minBand", $"must be one of: {string.Join(", ", Bands)}");
        }

        if (!validation.IsValid)
        {
            return CommandResult<SubscriptionSecretView>.From(validation);
        }

        var now = store.Time.GetUtcNow();
        var subscription = new WebhookSubscription("whsub_" + Guid.NewGuid().ToString("N"), request.Owner, body.Url!, body.Description,
            [.. body.EventTypes!.Distinct(StringComparer.Ordinal)], new WebhookFilter([.. countries.Distinct()], [.. sectors.Distinct()], filter.MinBand),
            WebhookSigning.NewSecret(), null, null, true, null, StorageDatabase.Normalize(now), StorageDatabase.Normalize(now));
        await store.CreateAsync(subscription, cancellationToken);
        return new CommandResult<SubscriptionSecretView>.Ok(new SubscriptionSecretView(SubscriptionView.From(subscription, now), subscription.Secret), Created: true);
    }

    public async ValueTask<CommandResult<SubscriptionView>> Handle(GetSubscription request, CancellationToken cancellationToken) =>
        await store.GetAsync(request.Owner, request.SubscriptionId, cancellationToken) is { } s
            ? new CommandResult<SubscriptionView>.Ok(SubscriptionView.From(s, store.Time.GetUtcNow()), Created: false)
            : NotFound<SubscriptionView>(request.SubscriptionId);

    public async ValueTask<CommandResult<SubscriptionListView>> Handle(ListSubscriptions request, CancellationToken cancellationToken)
    {
        var now = store.Time.GetUtcNow();
        var list = await store.ListAsync(request.Owner, cancellationToken);
        return new CommandResult<SubscriptionListView>.Ok(new SubscriptionListView([.. list.Select(s => SubscriptionView.From(s, now))]), Created: false);
    }

    public async ValueTask<CommandResult<bool>> Handle(DeleteSubscription request, CancellationToken cancellationToken) =>
        await store.DeleteAsync(request.Owner, request.SubscriptionId, cancellationToken)
            ? new CommandResult<bool>.Ok(true, Created: false)
            : NotFound<bool>(request.SubscriptionId);

    public async ValueTask<CommandResult<SubscriptionSecretView>> Handle(RotateSubscriptionSecret request, CancellationToken cancellationToken)
    {
        var secret = WebhookSigning.NewSecret();
        var now = store.Time.GetUtcNow();
        return await store.RotateSecretAsync(request.Owner, request.SubscriptionId, secret, now + options.Value.SecretOverlap, cancellationToken) is { } s
            ? new CommandResult<SubscriptionSecretView>.Ok(new SubscriptionSecretView(SubscriptionView.From(s, now), secret), Created: false)
            : NotFound<SubscriptionSecretView>(request.SubscriptionId);
    }

    public async ValueTask<CommandResult<SubscriptionView>> Handle(EnableSubscription request, CancellationToken cancellationToken) =>
        await store.EnableAsync(request.Owner, request.SubscriptionId, cancellationToken) is { } s
            ? new CommandResult<SubscriptionView>.Ok(SubscriptionView.From(s, store.Time.GetUtcNow()), Created: false)
            : NotFound<SubscriptionView>(request.SubscriptionId);

    internal static CommandResult<T> NotFound<T>(string id) => new CommandResult<T>.NotFound($"No webhook subscription '{id}' of yours.");
}
