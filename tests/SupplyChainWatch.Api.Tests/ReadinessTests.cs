using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Each entry of <c>/health/ready</c> turns unhealthy under the condition it names, brought about for real (a stopped
/// silo, a schema from another build, a hung receiver under a controllable webhook clock, a subject whose log cannot be
/// read) rather than by waiting.
/// </summary>
public sealed class ReadinessTests
{
    private static readonly string[] EntryNames = ["silo", "store", "webhook-dispatcher", "subjects"];

    [Fact]
    public async Task A_running_service_lists_every_entry_healthy_with_a_description()
    {
        await using var factory = new ServiceFactory();
        using var client = factory.CreateClient([]);

        var ready = (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        Assert.Equal("ready", ready["status"]!.GetValue<string>());
        var entries = ready["entries"]!.AsArray();
        Assert.Equal(EntryNames.Order(StringComparer.Ordinal), entries.Select(e => e!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal("healthy", e!["status"]!.GetValue<string>()));
        Assert.Contains("Active", Entry(ready, "silo")["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("PRAGMA quick_check", Entry(ready, "store")["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_turns_unhealthy_once_the_silo_is_no_longer_active_in_the_cluster()
    {
        await using var factory = new ServiceFactory();
        using var client = factory.CreateClient([]);
        (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        // The HTTP host keeps serving while the co-hosted silo shuts down and leaves the membership.
        await factory.Service<Silo>().StopAsync(CancellationToken.None);

        var answer = (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unavailable", answer["status"]!.GetValue<string>());
        var silo = Entry(answer, "silo");
        Assert.Equal("unhealthy", silo["status"]!.GetValue<string>());
        Assert.Contains("not Active", silo["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_turns_unhealthy_when_the_database_holds_another_builds_schema_and_healthy_again_when_it_is_back()
    {
        await using var factory = new ServiceFactory();
        using var client = factory.CreateClient([]);
        (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        // A newer build migrated the shared database (a rolling upgrade gone wrong): this build must not take traffic.
        await ExecuteAsync(factory.DatabasePath, "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'from-a-newer-build', '2026-11-20T12:00:00.000000Z');");
        var answer = (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable);
        var store = Entry(answer, "store");
        Assert.Equal("unhealthy", store["status"]!.GetValue<string>());
        Assert.Contains("schema version 999", store["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("healthy", Entry(answer, "silo")["status"]!.GetValue<string>());

        await ExecuteAsync(factory.DatabasePath, "DELETE FROM schema_version WHERE version = 999;");
        (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        // A database that is not (or no longer) this service's: no schema at all.
        await ExecuteAsync(factory.DatabasePath, "ALTER TABLE schema_version RENAME TO schema_version_gone;");
        store = Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable), "store");
        Assert.StartsWith("The store is at schema version 0;", store["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_dispatcher_turns_unhealthy_when_a_due_delivery_waits_longer_than_MaxDueAge()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = WebhookService(clock, maxDueAge: "00:05:00", maxHeartbeatAge: "01:00:00", maxConcurrency: 32);
        using var client = factory.CreateClient();
        using var hold = new ManualResetEventSlim();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await HungReceiverAsync(arrived, hold);
        try
        {
            await SubscribeAsync(client, receiver.Url("/rd-due"), "KH");
            await EscalateAsync(client, "rd-due-kh", "KH");
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Sent and hanging: due since now, within the limit.
            var entry = Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK), "webhook-dispatcher");
            Assert.Equal("healthy", entry["status"]!.GetValue<string>());

            clock.Advance(TimeSpan.FromMinutes(6));
            entry = Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable), "webhook-dispatcher");
            Assert.Equal("unhealthy", entry["status"]!.GetValue<string>());
            Assert.Contains("the oldest due delivery has waited 6 min (limit 5 min)", entry["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("come round", entry["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            hold.Set();
        }
    }

    [Fact]
    public async Task Webhook_dispatcher_turns_unhealthy_when_its_loop_stops_coming_round()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // One slot and two deliveries claimed together: the first hangs at the receiver, so the loop waits for the slot.
        await using var factory = WebhookService(clock, maxDueAge: "01:00:00", maxHeartbeatAge: "00:01:00", maxConcurrency: 1);
        using var client = factory.CreateClient();
        using var hold = new ManualResetEventSlim();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await HungReceiverAsync(arrived, hold);
        try
        {
            await SubscribeAsync(client, receiver.Url("/rd-loop-1"), "LA");
            await SubscribeAsync(client, receiver.Url("/rd-loop-2"), "LA");
            await EscalateAsync(client, "rd-loop-la", "LA");
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("healthy", Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK), "webhook-dispatcher")["status"]!.GetValue<string>());

            clock.Advance(TimeSpan.FromMinutes(2));
            var entry = Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable), "webhook-dispatcher");
            Assert.Equal("unhealthy", entry["status"]!.GetValue<string>());
            Assert.Contains("the dispatcher loop of this silo has not come round for 2 min (limit 60 s)", entry["description"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("oldest due delivery", entry["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            hold.Set();
        }
    }

    [Fact]
    public async Task Subjects_turns_unhealthy_while_a_subjects_activation_throws_and_healthy_once_it_activates_again()
    {
        var log = new FaultySubjectLog("sup:rd-broken");
        await using var factory = new ServiceFactory { ConfigureServices = log.Install };
        using var client = factory.CreateClient();
        (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);

        (await client.GetJsonAsync("/api/v1/suppliers/rd-broken/risk")).Expect(HttpStatusCode.InternalServerError);
        var answer = (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.ServiceUnavailable);
        var subjects = Entry(answer, "subjects");
        Assert.Equal("unhealthy", subjects["status"]!.GetValue<string>());
        Assert.StartsWith("1 subject(s) failing on this silo (activation: 1)", subjects["description"]!.GetValue<string>(), StringComparison.Ordinal);
        // The answer is anonymous: it names no subject.
        Assert.DoesNotContain("rd-broken", answer.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("Subject sup:rd-broken failed its activation (InvalidOperationException)", StringComparison.Ordinal));

        log.Failing = false;
        (await client.GetJsonAsync("/api/v1/suppliers/rd-broken/risk")).Expect(HttpStatusCode.NotFound);
        Assert.Equal("healthy", Entry((await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK), "subjects")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subjects_reports_degraded_with_200_when_configured_so()
    {
        var log = new FaultySubjectLog("sup:rd-degraded");
        await using var factory = new ServiceFactory { ConfigureServices = log.Install };
        factory.Settings["Health:FailureStatus:subjects"] = "Degraded";
        using var client = factory.CreateClient();

        (await client.GetJsonAsync("/api/v1/suppliers/rd-degraded/risk")).Expect(HttpStatusCode.InternalServerError);
        var answer = (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);
        Assert.Equal("degraded", Entry(answer, "subjects")["status"]!.GetValue<string>());
    }

    private static JsonNode Entry(JsonNode ready, string name) =>
        ready["entries"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!;

    private static ServiceFactory WebhookService(FakeTimeProvider clock, string maxDueAge, string maxHeartbeatAge, int maxConcurrency)
    {
        var factory = new ServiceFactory { ConfigureServices = services => services.AddKeyedSingleton<TimeProvider>(SqlWebhookStore.ClockKey, clock) };
        factory.Settings["Webhooks:MaxDueAge"] = maxDueAge;
        factory.Settings["Webhooks:MaxHeartbeatAge"] = maxHeartbeatAge;
        factory.Settings["Webhooks:MaxConcurrency"] = maxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        factory.Settings["Webhooks:RequestTimeout"] = "00:10:00";
        return factory;
    }

    /// <summary>A receiver that signals the first arrival and holds every request until <paramref name="hold"/> is set.</summary>
    private static async Task<WebhookReceiver> HungReceiverAsync(TaskCompletionSource arrived, ManualResetEventSlim hold)
    {
        var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) =>
        {
            arrived.TrySetResult();
            hold.Wait(TimeSpan.FromMinutes(2));
            return new ReceiverAnswer(204);
        };
        return receiver;
    }

    private static async Task SubscribeAsync(HttpClient client, string url, string country) =>
        (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url, description = "readiness", eventTypes = new[] { "case.escalated" }, filter = new { countries = new[] { country } } }))
            .Expect(HttpStatusCode.Created);

    private static async Task EscalateAsync(HttpClient client, string supplier, string country)
    {
        (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier(country))).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{supplier}-a1", supplier, null,
            Samples.Finding("F1", "documents", "critical", 20, "verified", null, "document-retention")))).Expect(HttpStatusCode.Created);
    }

    private static async Task ExecuteAsync(string databasePath, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 5000; " + sql;
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The evidence log as registered, except that reading one subject's rows throws while <see cref="Failing"/> is set:
/// that subject's activation fails the way it would on a row or store fault. A proxy, so it forwards whatever the
/// interface holds.
/// </summary>
public sealed class FaultySubjectLog(string subjectKey)
{
    public volatile bool Failing = true;

    public void Install(IServiceCollection services)
    {
        var registration = services.Last(d => d.ServiceType == typeof(IEvidenceLog) && !d.IsKeyedService);
        services.RemoveAll<IEvidenceLog>();
        services.AddSingleton(sp =>
        {
            var inner = (IEvidenceLog)registration.ImplementationFactory!(sp);
            var proxy = DispatchProxy.Create<IEvidenceLog, FaultInjectingProxy>();
            ((FaultInjectingProxy)(object)proxy).Configure(inner, this, subjectKey);
            return proxy;
        });
    }
}

/// <summary>Forwards every call; <c>ReadSubjectAsync</c> of the chosen subject throws while its owner says so.</summary>
public class FaultInjectingProxy : DispatchProxy
{
    private object? _inner;
    private FaultySubjectLog? _owner;
    private string? _subjectKey;

    internal void Configure(object inner, FaultySubjectLog owner, string subjectKey)
    {
        _inner = inner;
        _owner = owner;
        _subjectKey = subjectKey;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IEvidenceLog.ReadSubjectAsync) && _owner!.Failing && Equals(args?[0], _subjectKey))
        {
            throw new InvalidOperationException("Injected: the evidence log of this subject cannot be read.");
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }
}
