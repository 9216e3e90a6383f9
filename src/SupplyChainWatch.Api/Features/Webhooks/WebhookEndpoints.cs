using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Grains.Webhooks;

namespace SupplyChainWatch.Api.Features.Webhooks;

public static class WebhookEndpoints
{
    /// <summary>Options, the SSRF policy and the dispatcher (a background service on every silo).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookTargetPolicy>();
        services.AddSingleton<WebhookDispatcherHeartbeat>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // Every subscription belongs to the caller who created it (token subject): other callers, admins included,
        // get 404 for it, so one NGO never learns of another's receivers or deliveries.
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks")
            .RequireAuthorization(p => p.RequireRole(Roles.Ngo, Roles.Admin));

        group.MapPost("/subscriptions", async (SubscriptionBody? body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new CreateSubscription(WebhookOwner.Of(user), body), ct)).ToHttp(v => $"/api/v1/webhooks/subscriptions/{v.Subscription.Id}"))
            .WithName("CreateWebhookSubscription")
            .WithSummary("Subscribe a URL to escalation events")
            .WithDescription("Returns the signing secret (whsec_…) once. Deliveries follow the Standard Webhooks specification: webhook-id, webhook-timestamp, webhook-signature (v1, HMAC-SHA256 over id.timestamp.body). Targets must be https (http only for configured hosts); every address that is not globally reachable (IANA special-purpose registries) and the host's own addresses are refused.");

        group.MapGet("/subscriptions", async (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ListSubscriptions(WebhookOwner.Of(user)), ct)).ToHttp())
            .WithName("ListWebhookSubscriptions")
            .WithSummary("List your webhook subscriptions")
            .WithDescription("Only subscriptions created by the caller. Secrets are never listed.");

        group.MapGet("/subscriptions/{subscriptionId}", async (string subscriptionId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new GetSubscription(WebhookOwner.Of(user), subscriptionId), ct)).ToHttp())
            .WithName("GetWebhookSubscription")
            .WithSummary("Read one of your webhook subscriptions")
            .WithDescription("404 when it does not exist or is not the caller's.");

        group.MapDelete("/subscriptions/{subscriptionId}", async Task<Results<NoContent, ProblemHttpResult>> (string subscriptionId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new DeleteSubscription(WebhookOwner.Of(user), subscriptionId), ct) is CommandResult<bool>.Ok
                    ? TypedResults.NoContent()
                    : TypedResults.Problem($"No webhook subscription '{subscriptionId}' of yours.", statusCode: StatusCodes.Status404NotFound, title: "Not found."))
            .WithName("DeleteWebhookSubscription")
            .WithSummary("Delete one of your webhook subscriptions")
            .WithDescription("Its pending deliveries are dropped with it; 204 when deleted.");

        group.MapPost("/subscriptions/{subscriptionId}/rotate-secret", async (string subscriptionId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new RotateSubscriptionSecret(WebhookOwner.Of(user), subscriptionId), ct)).ToHttp())
            .WithName("RotateWebhookSecret")
            .WithSummary("Issue a new signing secret")
            .WithDescription("Returns the new secret once. For 24 hours every delivery carries two signatures (new and old secret, space-separated) so receivers can switch without losing events.");

        group.MapPost("/subscriptions/{subscriptionId}/enable", async (string subscriptionId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new EnableSubscription(WebhookOwner.Of(user), subscriptionId), ct)).ToHttp())
            .WithName("EnableWebhookSubscription")
            .WithSummary("Enable a subscription again")
            .WithDescription("A subscription is disabled when its receiver answers 410 Gone. Enabling resumes its pending deliveries; new events reach it again.");

        group.MapGet("/subscriptions/{subscriptionId}/deliveries", async (string subscriptionId, string? status, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ListDeliveries(WebhookOwner.Of(user), subscriptionId, status, limit), ct)).ToHttp())
            .WithName("ListWebhookDeliveries")
            .WithSummary("Deliveries of a subscription with every attempt")
            .WithDescription("Each attempt's HTTP status, latency and error category. status=dead lists the dead letters (every attempt failed, or the receiver answered 410).");

        group.MapPost("/deliveries/{deliveryId}/replay", async (string deliveryId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                (await mediator.Send(new ReplayDelivery(WebhookOwner.Of(user), deliveryId), ct)).ToHttp())
            .WithName("ReplayWebhookDelivery")
            .WithSummary("Send a delivered or dead-lettered event again")
            .WithDescription("Same webhook-id, fresh timestamp and signature, fresh retry schedule. 409 while it is still pending or its subscription is disabled.");

        return app;
    }
}
