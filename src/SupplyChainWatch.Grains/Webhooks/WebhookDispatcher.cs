using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Webhooks;

/// <summary>
/// Sends due outbox rows, on every silo. Rows are claimed under a lease (PostgreSQL: FOR UPDATE SKIP LOCKED, so two silos
/// never hold the same row); a silo that dies between sending and recording leaves the lease to expire and the row is sent
/// again with the same webhook-id: at-least-once, never lost. Ingestion only writes outbox rows; this service does the
/// network work apart from it, a bounded number of requests at a time.
/// </summary>
public sealed partial class WebhookDispatcher(
    SqlWebhookStore store,
    WebhookTargetPolicy policy,
    IOptions<WebhookOptions> options,
    WebhookDispatcherHeartbeat heartbeat,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly WebhookOptions _options = options.Value;
    private readonly string _leaseOwner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DispatcherEnabled)
        {
            return;
        }

        var max = Math.Max(1, _options.MaxConcurrency);
        var half = Math.Max(1, max / 2);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = policy.ConnectAsync,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = max,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("SupplyChainWatch-Webhooks/1.0");
        using var slots = new SemaphoreSlim(max);
        var inFlight = new HashSet<Task>();

        heartbeat.Started();
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeat.Beat();
            IReadOnlyList<ClaimedDelivery> claimed = [];
            try
            {
                store.TakeEnqueuedSignal();
                // Claim in batches (half the slots free, or all when idle) and only when something is due: every claim is a
                // write transaction, and writes are what ingestion needs.
                var free = slots.CurrentCount;
                if (free >= half && await store.AnyDueAsync(stoppingToken))
                {
                    // Up to one more round than there are free slots: the extra rows wait here for a slot (well inside
                    // their lease), so a busy dispatcher claims a few times a second instead of once per free slot.
                    claimed = await store.ClaimAsync(_leaseOwner, free + max, _options.LeaseDuration, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store may be starting (schema not yet migrated) or briefly unreachable: try again at the next poll.
                LogClaimFailed(ex);
            }

            foreach (var delivery in claimed)
            {
                await slots.WaitAsync(stoppingToken);
                heartbeat.Beat();
                var task = Task.Run(async () =>
                {
                    try
                    {
                        await DeliverAsync(client, delivery, stoppingToken);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
                lock (inFlight)
                {
                    inFlight.Add(task);
                }

                _ = task.ContinueWith(t =>
                {
                    lock (inFlight)
                    {
                        inFlight.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (claimed.Count > 0 && slots.CurrentCount >= half)
            {
                // There may be more due rows: claim again at once.
                continue;
            }

            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(_options.PollInterval);
                if (slots.CurrentCount < half)
                {
                    // Busy: wait for a slot rather than for new rows (the poll interval still bounds the wait).
                    await slots.WaitAsync(wait.Token);
                    slots.Release();
                }
                else
                {
                    await store.WaitForEnqueuedAsync(wait.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Poll interval elapsed (or stopping: the loop condition decides).
            }
        }

        heartbeat.Stopped();
        Task[] remaining;
        lock (inFlight)
        {
            remaining = [.. inFlight];
        }

        await Task.WhenAll(remaining).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task DeliverAsync(HttpClient client, ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        var now = store.Time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var secrets = delivery.PreviousSecret is not null && delivery.PreviousSecretUntil > now
            ? new[] { delivery.Secret, delivery.PreviousSecret }
            : [delivery.Secret];
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSigning.Sign(delivery.Id, timestamp, delivery.Body, secrets));

        int? status = null;
        string? error = null;
        TimeSpan? retryAfter = null;
        var watch = Stopwatch.StartNew();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
                retryAfter = response.Headers.RetryAfter switch
                {
                    { Delta: { } delta } => delta,
                    { Date: { } date } => date - store.Time.GetUtcNow(),
                    _ => null,
                };
                if (!response.IsSuccessStatusCode)
                {
                    // The status code is recorded beside it; the body the receiver sent is never stored.
                    error = DeliveryErrors.HttpStatus;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down mid-send: leave the lease to expire; the row is sent again with the same id.
                return;
            }
            catch (OperationCanceledException)
            {
                error = DeliveryErrors.Timeout;
            }
            catch (HttpRequestException ex)
            {
                error = DeliveryErrors.Classify(ex);
            }
        }

        var latency = watch.ElapsedMilliseconds;
        var attempt = new WebhookAttempt(now, status, latency, status is >= 200 and < 300 ? "delivered" : status == 410 ? "gone" : "failed", error);
        var outcome = Decide(delivery, attempt, retryAfter);
        try
        {
            await store.RecordAsync(outcome, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unrecorded: the lease expires and the row is sent again with the same id (at-least-once).
            LogRecordFailed(ex, delivery.Id);
        }
    }

    private DeliveryOutcome Decide(ClaimedDelivery delivery, WebhookAttempt attempt, TimeSpan? retryAfter)
    {
        if (attempt.StatusCode is >= 200 and < 300)
        {
            return new DeliveryOutcome(delivery.Id, delivery.SubscriptionId, attempt, WebhookDeliveryStatus.Delivered, attempt.AttemptedAt, null);
        }

        if (attempt.StatusCode == (int)HttpStatusCode.Gone)
        {
            return new DeliveryOutcome(delivery.Id, delivery.SubscriptionId, attempt, WebhookDeliveryStatus.Dead, attempt.AttemptedAt,
                "the receiver answered 410 Gone");
        }

        var delays = _options.EffectiveRetryDelays;
        var attemptsMade = delivery.AttemptCount + 1;
        if (attemptsMade > delays.Count)
        {
            return new DeliveryOutcome(delivery.Id, delivery.SubscriptionId, attempt, WebhookDeliveryStatus.Dead, attempt.AttemptedAt, null);
        }

        var jitter = 1 + (((Random.Shared.NextDouble() * 2) - 1) * _options.JitterFraction);
        var delay = delays[attemptsMade - 1] * jitter;
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < _options.MaxRetryAfter ? asked : _options.MaxRetryAfter;
        }

        return new DeliveryOutcome(delivery.Id, delivery.SubscriptionId, attempt, WebhookDeliveryStatus.Pending, store.Time.GetUtcNow() + delay, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming due webhook deliveries failed; retrying at the next poll.")]
    private partial void LogClaimFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the attempt of webhook delivery {DeliveryId} failed; it will be sent again when its lease expires.")]
    private partial void LogRecordFailed(Exception ex, string deliveryId);
}
