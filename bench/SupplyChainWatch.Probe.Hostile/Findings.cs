using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SupplyChainWatch.Probe.Hostile;

/// <summary>One probe's outcome: VULNERABLE when the service did what issue 14 says it must not, else FIXED.</summary>
/// <summary>One probe's outcome: VULNERABLE when the service did what issue 14 says it must not, FIXED when it refused, N/A when the version has no such channel.</summary>
public sealed record Result(string Finding, string Probe, string Verdict, string Observed);

/// <summary>The probes of issue 14's ten findings, each observing the service from outside only.</summary>
public sealed class Findings(Api api, string tag, Caller writer, Options options)
{
    private readonly Caller _compliance = new("compliance", api.Tokens.Create("probe-compliance-" + tag, ["compliance"]));
    private readonly Caller _admin = new("admin", api.Tokens.Create("probe-admin-" + tag, ["admin"]));
    private readonly Caller _ngo = new("ngo", api.Tokens.Create("probe-ngo-" + tag, ["ngo"]));
    private readonly Caller _officer = new("case-officer", api.Tokens.Create("probe-officer-" + tag, ["case-officer"]));

    public List<Result> Results { get; } = [];

    private void Record(string finding, string probe, bool? vulnerable, string observed)
    {
        var result = new Result(finding, probe, vulnerable switch { true => "VULNERABLE", false => "FIXED", null => "N/A" }, observed);
        Results.Add(result);
        Console.WriteLine($"{result.Finding} | {result.Probe} | {result.Verdict} | {result.Observed}");
    }

    private string Narrative => "NARRATIVE-CANARY-" + tag;

    private string Contact => "CONTACT-CANARY-" + tag;

    private const string Phone = "+60 12-555 4711";

    public void AddCanaries()
    {
        api.AddCanary(Narrative);
        api.AddCanary(Contact);
        api.AddCanary(Phone);
    }

    private static string Errors(Answer answer) =>
        answer.Json?["errors"] is JsonObject errors ? string.Join(",", errors.Select(e => e.Key)) : Answer.Short(answer.Json?["detail"]?.ToString() ?? answer.Body, 100);

    private static string Supplier(string name = "Probe Supplier") =>
        $$"""{"name":"{{name}}","country":"MY","sector":"apparel","workforce":850,"migrantWorkerShare":0.4,"agencyWorkerShare":0.1,"products":["garments"]}""";

    private static string Audit(string auditId, string supplierId, string findingId, string category = "documents") =>
        $$"""{"auditId":"{{auditId}}","supplierId":"{{supplierId}}","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"Example Assurance","findings":[{"findingId":"{{findingId}}","category":"{{category}}","severity":"major","workersAffected":5,"indicators":[{"code":"document-retention"}],"dueDate":"2026-12-31"}]}""";

    private static JsonObject Grievance(string id, string supplierId, string? narrative, string? contact, bool brand, bool ngo, bool law) => new()
    {
        ["grievanceId"] = id,
        ["supplierId"] = supplierId,
        ["receivedAt"] = "2026-11-15T08:00:00Z",
        ["channel"] = "hotline",
        ["allegations"] = new JsonArray(new JsonObject { ["code"] = "physical-sexual-violence" }, new JsonObject { ["code"] = "restriction-of-movement" }),
        ["categories"] = new JsonArray("forced-labour"),
        ["workersAffected"] = 12,
        ["evidenceStatus"] = "corroborated",
        ["imminentDanger"] = true,
        ["childInvolved"] = true,
        ["anonymity"] = "confidential",
        ["narrative"] = narrative,
        ["reporterContact"] = contact,
        ["consent"] = new JsonObject { ["shareWithBrand"] = brand, ["shareWithNgo"] = ngo, ["shareWithLawEnforcement"] = law },
    };

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 1: an extreme fee report accepted, then its recruiter and linked supplier answer 500 (and after a restart).

    private string F1Recruiter => "f1r-" + tag;

    private string F1Supplier => "f1s-" + tag;

    public async Task Finding1()
    {
        await api.Put(writer, $"/api/v1/recruiters/{F1Recruiter}", """{"name":"Probe Recruiter","licenceNumber":"NP-1","country":"NP","corridors":[{"origin":"NP","destination":"MY"}]}""");
        await api.Put(writer, $"/api/v1/suppliers/{F1Supplier}", Supplier());
        await api.Put(writer, $"/api/v1/suppliers/{F1Supplier}/recruiters/{F1Recruiter}", """{"workforceShare":0.3}""");
        // Each number is "valid" alone (a decimal, positive); their product in US dollars overflows decimal arithmetic.
        var report = $$$"""
            {"reportId":"F1-{{{tag}}}","recruiterId":"{{{F1Recruiter}}}","supplierId":"{{{F1Supplier}}}","workerRef":"w-1","originCountry":"NP","destinationCountry":"MY",
             "recruitedOn":"2026-03-01","costs":[{"type":"placement-fee","amount":79000000000000000000000000000,"currency":"EUR","paidBy":"worker"}],
             "monthlyWage":{"amount":1000,"currency":"MYR"},"fxRatesToUsd":{"EUR":1000000000,"MYR":0.21},
             "financing":{"loan":false,"repaidByWageDeduction":false,"mayNotLeaveUntilRepaid":false},"reimbursement":{"status":"none"}}
            """;
        var submitted = await api.Post(writer, "/api/v1/recruitment-fees", report);
        var (observed, failing) = await F1Reads();
        var answer = submitted.Status == 400 ? $"400 naming {Errors(submitted)}" : submitted.Status >= 500 ? $"{submitted.Status} '{submitted.Json?["title"]}'" : submitted.Status.ToString(CultureInfo.InvariantCulture);
        Record("1", "fee report amount 7.9e28 × rate 1e9", failing || submitted.Status is not 400, $"POST {answer}; then {observed}");
    }

    private async Task<(string Observed, bool Failing)> F1Reads()
    {
        var rec = await api.Get(_compliance, $"/api/v1/recruiters/{F1Recruiter}/risk");
        var recProfile = await api.Get(_compliance, $"/api/v1/recruiters/{F1Recruiter}");
        var sup = await api.Get(_compliance, $"/api/v1/suppliers/{F1Supplier}/risk");
        var ready = await api.Get(new Caller("anonymous", null), "/health/ready");
        var failing = rec.Status >= 500 || recProfile.Status >= 500 || sup.Status >= 500;
        return ($"recruiter risk {rec.Status}, recruiter profile {recProfile.Status}, linked supplier risk {sup.Status}; /health/ready {ready.Status}", failing);
    }

    public async Task Finding1AfterRestart()
    {
        var (observed, failing) = await F1Reads();
        Record("1", "after a restart on the same store", failing, observed);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 2: a referral package's digest of the contact falls to a brute force over 10,000 phone numbers.

    public async Task Finding2()
    {
        var supplier = "f2s-" + tag;
        await api.Put(writer, $"/api/v1/suppliers/{supplier}", Supplier());
        await api.Post(writer, "/api/v1/grievances", Grievance("F2G-" + tag, supplier, null, Phone, true, true, true).ToJsonString());
        var package = await api.Post(_officer, $"/api/v1/cases/grievance:F2G-{tag}/referrals",
            $$"""{"subjectId":"sup:{{supplier}}","recipientType":"ngo","recipientName":"Tenaganita","reason":"Debt bondage reported."}""");
        if (package.Status != 201)
        {
            Record("2", "brute force of the contact over +60 12-555 0000…9999", false, $"package {package.Status}: {Errors(package)}");
            return;
        }

        var clock = Stopwatch.StartNew();
        for (var n = 0; n < 10_000; n++)
        {
            var guess = "+60 12-555 " + n.ToString("D4", CultureInfo.InvariantCulture);
            foreach (var text in new[] { "\u0000" + guess, guess })
            {
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
                if (package.Body.Contains(Convert.ToHexStringLower(hash), StringComparison.Ordinal) || package.Body.Contains(Convert.ToBase64String(hash), StringComparison.Ordinal))
                {
                    Record("2", "brute force of the contact over +60 12-555 0000…9999", true,
                        $"package 201 for the case officer; its SHA-256 digest matched '{guess}' after {n + 1} guesses in {clock.ElapsedMilliseconds} ms");
                    return;
                }
            }
        }

        Record("2", "brute force of the contact over +60 12-555 0000…9999", false,
            $"package 201; none of 40,000 SHA-256 digests (hex/base64, with and without the narrative separator) in it ({clock.ElapsedMilliseconds} ms)");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 3: audit A / finding X:F and audit A:X / finding F share one idempotency key.

    public async Task Finding3()
    {
        string first = "f3a-" + tag, second = "f3b-" + tag;
        await api.Put(writer, $"/api/v1/suppliers/{first}", Supplier());
        await api.Put(writer, $"/api/v1/suppliers/{second}", Supplier());
        string audit = "A" + tag, finding = "X:F" + tag, colonAudit = "A" + tag + ":X", colonFinding = "F" + tag;
        var one = await api.Post(writer, "/api/v1/audits", Audit(audit, first, finding));
        var two = await api.Post(writer, "/api/v1/audits", Audit(colonAudit, second, colonFinding, "wages"));
        var oneStatus = await api.Post(writer, $"/api/v1/audits/{Uri.EscapeDataString(audit)}/findings/{Uri.EscapeDataString(finding)}/status", """{"status":"remediated","on":"2026-11-20"}""");
        var twoStatus = await api.Post(writer, $"/api/v1/audits/{Uri.EscapeDataString(colonAudit)}/findings/{Uri.EscapeDataString(colonFinding)}/status", """{"status":"remediated","on":"2026-11-20"}""");
        static string Subjects(Answer a) => a.Json?["evidence"] is JsonArray e ? string.Join("+", e.Select(x => x?["subjectId"]?.ToString())) : "-";
        var secondRisk = await api.Get(_compliance, $"/api/v1/suppliers/{second}/risk");
        var secondCounted = secondRisk.Body.Contains(colonAudit, StringComparison.Ordinal) || secondRisk.Body.Contains(colonFinding, StringComparison.Ordinal);
        var vulnerable = two.Status is not (200 or 201) || twoStatus.Status is not 200 || Subjects(oneStatus) != first || Subjects(twoStatus) != second;
        Record("3", "audit A/finding X:F then audit A:X/finding F, status of each", vulnerable,
            $"audits {one.Status}/{two.Status}; status changes {oneStatus.Status} (evidence on {Subjects(oneStatus)}) / {twoStatus.Status} (evidence on {Subjects(twoStatus)}"
            + (twoStatus.Status == 409 ? ": " + Errors(twoStatus) : string.Empty) + $"); second supplier's risk shows its audit: {secondCounted}");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 4: tokens without sub share one owner of webhook subscriptions.

    public async Task Finding4()
    {
        var a = new Caller("ngo without sub (A)", api.Tokens.Create(null, ["ngo"]));
        var b = new Caller("ngo without sub (B)", api.Tokens.Create(null, ["ngo"]));
        var created = await api.Post(a, "/api/v1/webhooks/subscriptions", $$"""{"url":"https://hooks.example.org/f4-{{tag}}","eventTypes":["case.escalated"]}""");
        if (created.Status != 201)
        {
            Record("4", "sub-less token A subscribes, sub-less token B lists/rotates/deletes", false, $"A's POST {created.Status}: {Errors(created)}");
            return;
        }

        var id = created.Json!["subscription"]!["id"]!.ToString();
        var list = await api.Get(b, "/api/v1/webhooks/subscriptions");
        var rotate = await api.Post(b, $"/api/v1/webhooks/subscriptions/{id}/rotate-secret", null);
        var delete = await api.Delete(b, $"/api/v1/webhooks/subscriptions/{id}");
        var seen = list.Body.Contains(id, StringComparison.Ordinal);
        Record("4", "sub-less token A subscribes, sub-less token B lists/rotates/deletes", seen || rotate.Status == 200 || delete.Status is 200 or 204,
            $"A's POST 201; B's list {list.Status} {(seen ? "shows" : "does not show")} A's subscription; B's rotate {rotate.Status}; B's delete {delete.Status}");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Findings 5 and 6 (delivery errors): consent-refused grievance on webhooks, SSE, risk and escalation views.

    public async Task Finding5And6Delivery(WebhookReceiver receiver)
    {
        string refused = "f5r-" + tag, consenting = "f5c-" + tag, refusedId = "CANARYG-R-" + tag;
        var all = """["risk.band_changed","forced_labour.indicated","case.escalated","recruiter.high_risk_linked","grievance.acknowledgement_overdue","corrective_action.overdue"]""";
        var subscription = await api.Post(_ngo, "/api/v1/webhooks/subscriptions", $$"""{"url":"{{receiver.Url("/f5")}}","description":"consent canaries","eventTypes":{{all}}}""");
        var unreachable = await api.Post(_ngo, "/api/v1/webhooks/subscriptions", $$"""{"url":"https://nonexistent-{{tag}}.invalid:8443/hook","eventTypes":{{all}}}""");
        await api.Put(writer, $"/api/v1/suppliers/{refused}", Supplier());
        await api.Put(writer, $"/api/v1/suppliers/{consenting}", Supplier());
        var stream = api.ReadStream(_compliance, $"/api/v1/events?subjectIds=sup:{refused},sup:{consenting}", TimeSpan.FromSeconds(30),
            text => text.Contains("sup:" + consenting, StringComparison.Ordinal) && text.Contains("sup:" + refused, StringComparison.Ordinal));
        await Task.Delay(500); // the stream's subscription is open before the signals (it replays from Last-Event-ID only)
        var g1 = await api.Post(writer, "/api/v1/grievances", Grievance(refusedId, refused, Narrative, Contact, false, false, false).ToJsonString());
        var g2 = await api.Post(writer, "/api/v1/grievances", Grievance("CANARYG-C-" + tag, consenting, Narrative + "-C", Contact + "-C", true, true, true).ToJsonString());

        // Barrier: the deliveries of both suppliers' events have arrived (the refused one was submitted first).
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline && !(receiver.Bodies("/f5").Any(b => b.Contains("sup:" + consenting, StringComparison.Ordinal))
            && receiver.Bodies("/f5").Any(b => b.Contains("sup:" + refused, StringComparison.Ordinal))))
        {
            await Task.Delay(250);
        }

        var bodies = receiver.Bodies("/f5");
        var aboutRefused = bodies.Where(b => b.Contains("sup:" + refused, StringComparison.Ordinal)).ToList();
        var leaking = aboutRefused.Where(b => b.Contains(refusedId, StringComparison.Ordinal) || b.Contains("physical-sexual-violence", StringComparison.Ordinal)).ToList();
        Record("5", "consent-refused grievance on the NGO webhook", leaking.Count > 0,
            $"grievances {g1.Status}/{g2.Status}; subscription {subscription.Status}; {bodies.Count} deliveries, {aboutRefused.Count} about the refused supplier, {leaking.Count} carry its id or allegation codes"
            + (leaking.Count > 0 ? $" (e.g. {Answer.Short(leaking[0], 120)})" : string.Empty));

        var risk = await api.Get(_compliance, $"/api/v1/suppliers/{refused}/risk");
        Record("5", "consent-refused grievance in the compliance risk view", risk.Body.Contains(refusedId, StringComparison.Ordinal) || risk.Body.Contains("physical-sexual-violence", StringComparison.Ordinal),
            $"GET risk {risk.Status}; shows id: {risk.Body.Contains(refusedId, StringComparison.Ordinal)}, allegation codes: {risk.Body.Contains("physical-sexual-violence", StringComparison.Ordinal)}");
        var escalations = await api.Get(_compliance, $"/api/v1/escalations?subjectId=sup:{refused}");
        Record("5", "consent-refused grievance in the escalation list", escalations.Body.Contains(refusedId, StringComparison.Ordinal),
            $"GET escalations {escalations.Status}; {(escalations.Json?["items"] as JsonArray)?.Count ?? 0} items; shows id: {escalations.Body.Contains(refusedId, StringComparison.Ordinal)}");
        if (subscription.Status == 201)
        {
            var deliveries = await api.Get(_ngo, $"/api/v1/webhooks/subscriptions/{subscription.Json!["subscription"]!["id"]}/deliveries");
            Record("5", "consent-refused grievance in the NGO's delivery list", deliveries.Body.Contains(refusedId, StringComparison.Ordinal),
                $"GET deliveries {deliveries.Status}; shows id: {deliveries.Body.Contains(refusedId, StringComparison.Ordinal)}");
        }

        var (streamStatus, streamText) = await stream;
        Record("5", "consent-refused grievance on the live stream (SSE)", streamStatus == 200 ? streamText.Contains(refusedId, StringComparison.Ordinal) : null,
            streamStatus == 200 ? $"stream 200, {streamText.Split("\nevent:").Length - 1} events; shows id: {streamText.Contains(refusedId, StringComparison.Ordinal)}" : $"no stream in this version ({streamStatus})");

        // Finding 6, second half: what a subscriber learns from a failed delivery to a host that does not resolve.
        if (unreachable.Status == 201)
        {
            var id = unreachable.Json!["subscription"]!["id"]!.ToString();
            Answer list = new(0, string.Empty);
            var until = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < until)
            {
                list = await api.Get(_ngo, $"/api/v1/webhooks/subscriptions/{id}/deliveries");
                if (list.Body.Contains("\"error\":\"", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(500);
            }

            var errors = System.Text.RegularExpressions.Regex.Matches(list.Body, "\"error\":\"([^\"]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
            var detailed = errors.Any(e => e.Contains(".invalid", StringComparison.Ordinal) || e.Contains("8443", StringComparison.Ordinal) || e.Contains(' ', StringComparison.Ordinal));
            Record("6", "delivery error text shown to the subscriber", detailed, errors.Count == 0 ? $"deliveries {list.Status}, no error recorded yet" : $"errors: {string.Join(" / ", errors.Select(e => "'" + Answer.Short(e, 90) + "'"))}");
            await api.Delete(_ngo, $"/api/v1/webhooks/subscriptions/{id}");
        }
        else
        {
            Record("6", "delivery error text shown to the subscriber", false, $"subscription to an unresolvable host {unreachable.Status}: {Errors(unreachable)}");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 6: webhook targets on the host's own interfaces and special IPv6 ranges.

    public async Task Finding6()
    {
        var own = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).ToList();
        var targets = own.Select(a => (Url: $"https://{(a.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + a + "]" : a.ToString())}/f6", What: $"own interface address {a}"))
            .Concat([
                ("https://[::7f00:1]/f6", "IPv4-compatible ::127.0.0.1"),
                ("https://[64:ff9b:1::a00:1]/f6", "local-use NAT64 64:ff9b:1::/48"),
                ("https://[2002:7f00:1::1]/f6", "6to4 of 127.0.0.1"),
                ("https://[2001::1]/f6", "Teredo 2001::/32"),
                ("https://[fec0::1]/f6", "site-local fec0::/10"),
            ]);
        foreach (var (url, what) in targets)
        {
            var answer = await api.Post(_ngo, "/api/v1/webhooks/subscriptions", $$"""{"url":"{{url}}","eventTypes":["case.escalated"]}""");
            if (answer.Status == 201)
            {
                await api.Delete(_ngo, $"/api/v1/webhooks/subscriptions/{answer.Json!["subscription"]!["id"]}");
            }

            Record("6", $"webhook target {what}", answer.Status == 201, $"{answer.Status}{(answer.Status == 400 ? " " + Answer.Short(answer.Json?["errors"]?["url"]?.ToJsonString() ?? string.Empty, 90) : string.Empty)}");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 7: anonymous chunked uploads are read before 401.

    public async Task Finding7(string method, string path, string mediaType, int connections)
    {
        var Connections = connections;
        const int ChunkBytes = 60 * 1024;
        const int Chunks = 16; // 960 KiB each: under the 1 MiB body limit, so only authentication could stop it
        var chunk = Encoding.ASCII.GetBytes(ChunkBytes.ToString("x", CultureInfo.InvariantCulture) + "\r\n" + new string('x', ChunkBytes) + "\r\n");
        var before = Rss(options.ServerPid);
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(options.ServerPid));
                await Task.Delay(50);
            }
        });

        var sockets = new List<(TcpClient Client, NetworkStream Stream, Task<string> Answer)>();
        for (var i = 0; i < Connections; i++)
        {
            var head = Encoding.ASCII.GetBytes($"{method} {path.Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)} HTTP/1.1\r\nHost: {api.BaseUrl.Authority}\r\n" +
                $"Content-Type: {mediaType}\r\nTransfer-Encoding: chunked\r\n\r\n");
            var client = new TcpClient();
            await client.ConnectAsync(api.BaseUrl.Host, api.BaseUrl.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(head);
            await stream.WriteAsync(chunk);
            sockets.Add((client, stream, ReadStatusLine(stream)));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var early = sockets.Count(s => s.Answer.IsCompleted && s.Answer.Result.Length > 0);
        var afterFirstChunk = Rss(options.ServerPid);
        for (var c = 1; c < Chunks; c++)
        {
            foreach (var socket in sockets.Where(s => !s.Answer.IsCompleted))
            {
                try
                {
                    await socket.Stream.WriteAsync(chunk);
                }
                catch (IOException)
                {
                    // the server answered and closed: nothing more of this body is read
                }
            }
        }

        foreach (var socket in sockets.Where(s => !s.Answer.IsCompleted))
        {
            try
            {
                await socket.Stream.WriteAsync(Encoding.ASCII.GetBytes("0\r\n\r\n"));
            }
            catch (IOException)
            {
            }
        }

        var answers = await Task.WhenAll(sockets.Select(async s => await Task.WhenAny(s.Answer, Task.Delay(TimeSpan.FromSeconds(60))) == s.Answer ? s.Answer.Result : "timeout"));
        await Task.Delay(500);
        await sampling.CancelAsync();
        await sampler;
        foreach (var socket in sockets)
        {
            socket.Client.Dispose();
        }

        var statuses = answers.GroupBy(a => a.Split(' ').ElementAtOrDefault(1) ?? a).ToDictionary(g => g.Key, g => g.Count());
        api.CountRaw(Connections, answers.Count(a => a.Split(' ').ElementAtOrDefault(1)?.StartsWith('5') == true));
        const double MiB = 1024 * 1024;
        Record("7", $"{Connections} anonymous chunked uploads of 960 KiB: {method} {path.Replace("-{i}", "-N", StringComparison.Ordinal)}", early < Connections / 2,
            $"{early}/{Connections} answered before the body ended; answers {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; server RSS {before / MiB:F0} → {afterFirstChunk / MiB:F0} (first chunk) → peak {peak / MiB:F0} MiB (+{(peak - before) / MiB:F0})");
    }

    private static async Task<string> ReadStatusLine(NetworkStream stream)
    {
        var buffer = new byte[512];
        try
        {
            var read = await stream.ReadAsync(buffer);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            return text.Split("\r\n")[0];
        }
        catch (IOException)
        {
            return "reset";
        }
    }

    private static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 8: bad cursors, extreme asOf, lone surrogates, duplicate keys and invalid UTF-8 answer 500.

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] InvalidUtf8(string json, string marker)
    {
        var at = json.IndexOf(marker, StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(json[..at]), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(json[(at + marker.Length)..])];
    }

    private const string Package = """{"referralId":"rfp_MARK","subjectId":"sup:SUBJECT","items":[{"subjectSeq":1}],"chainHead":{"subjectSeq":1,"rowHash":"00"}}""";

    private static string AuditLine(string id) => $$"""{"kind":"audit","auditId":"{{id}}","supplierId":"f8-imp","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"F","findings":[{"findingId":"F1","category":"wages","severity":"minor","workersAffected":1}]}""";

    public async Task Finding8()
    {
        var gets = new (string Probe, string Path)[]
        {
            ("cursor=not*base64 on suppliers", "/api/v1/suppliers?cursor=not*base64"),
            ("cursor=base64('x|y|z') on suppliers", "/api/v1/suppliers?cursor=" + B64(Encoding.UTF8.GetBytes("x|y|z"))),
            ("cursor of bytes FF FE 7C on suppliers", "/api/v1/suppliers?cursor=" + B64([0xFF, 0xFE, 0x7C])),
            ("cursor=%ED%A0%80 on recruiters", "/api/v1/recruiters?cursor=%ED%A0%80"),
            ("cursor=base64('e|99999999999999999999') on escalations", "/api/v1/escalations?cursor=" + B64(Encoding.UTF8.GetBytes("e|99999999999999999999"))),
            ("supplier risk ?asOf=0001-01-01", $"/api/v1/suppliers/{F1Supplier}/risk?asOf=0001-01-01"),
            ("recruiter risk ?dated=0001-01-01", $"/api/v1/recruiters/{F1Recruiter}/risk?dated=0001-01-01"),
            ("supplier risk ?asOf=9999-12-31T23:59:59", $"/api/v1/suppliers/{F1Supplier}/risk?asOf=9999-12-31T23%3A59%3A59"),
            ("supplier risk ?dated=9999-12-31T23:59:59-14:00", $"/api/v1/suppliers/{F1Supplier}/risk?dated=9999-12-31T23%3A59%3A59-14%3A00"),
        };
        foreach (var (probe, path) in gets)
        {
            var answer = await api.Get(_admin, path);
            Record("8", probe, answer.Status is >= 500 or 0, $"{answer.Status} {(answer.Status == 400 ? "naming " + Errors(answer) : Answer.Short(answer.Body, 80))}");
        }

        var package = Package.Replace("SUBJECT", F1Supplier, StringComparison.Ordinal);
        var bodies = new (string Probe, byte[] Body)[]
        {
            ("verify: lone surrogate \\ud800 in referralId", Encoding.UTF8.GetBytes(package.Replace("rfp_MARK", "\\ud800", StringComparison.Ordinal))),
            ("verify: invalid UTF-8 in referralId", InvalidUtf8(package, "MARK")),
            ("verify: referralId twice", Encoding.UTF8.GetBytes(package.Replace("{\"referralId\":\"rfp_MARK\",", "{\"referralId\":\"rfp_a\",\"referralId\":\"rfp_b\",", StringComparison.Ordinal))),
            ("verify: lone surrogate as a property name", Encoding.UTF8.GetBytes(package.Replace("\"subjectId\"", "\"\\udc00\"", StringComparison.Ordinal))),
        };
        foreach (var (probe, body) in bodies)
        {
            var answer = await api.Send(_officer, HttpMethod.Post, "/api/v1/referrals/verify", body, "application/json");
            Record("8", probe, answer.Status is >= 500 or 0, $"{answer.Status} {(answer.Status == 400 ? "naming " + Errors(answer) : Answer.Short(answer.Body, 80))}");
        }

        var lines = new (string Probe, byte[] Line)[]
        {
            ("import: lone surrogate in auditId", Encoding.UTF8.GetBytes(AuditLine("\\ud800"))),
            ("import: invalid UTF-8 in auditId", InvalidUtf8(AuditLine("IDMARK"), "IDMARK")),
            ("import: auditId twice", Encoding.UTF8.GetBytes(AuditLine("F8-1-" + tag).Replace("\"auditId\"", "\"auditId\":\"F8-2\",\"auditId\"", StringComparison.Ordinal))),
        };
        foreach (var (probe, line) in lines)
        {
            var answer = await api.Send(writer, HttpMethod.Post, "/api/v1/signals:import", [.. line, (byte)'\n'], "application/x-ndjson");
            var accepted = answer.Json?["accepted"]?.ToString();
            Record("8", probe, answer.Status is >= 500 or 0,
                $"{answer.Status} {(answer.Status == 200 ? $"accepted {accepted}, line errors {Answer.Short((answer.Json?["results"] as JsonArray)?.FirstOrDefault()?["errors"]?.ToJsonString() ?? "-", 80)}" : Answer.Short(answer.Body, 80))}");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 9 (setup): enough evidence that the store spans many pages.

    public async Task Finding9Setup()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            lines.Append(Audit($"f9-{tag}-{i}", $"f9s-{tag}-{i % 40}", "F1").Insert(1, "\"kind\":\"audit\",")).Append('\n');
        }

        var answer = await api.Send(writer, HttpMethod.Post, "/api/v1/signals:import", Encoding.UTF8.GetBytes(lines.ToString()), "application/x-ndjson");
        Console.WriteLine($"(finding 9 setup: import of 300 audits {answer.Status}, accepted {answer.Json?["accepted"]})");
    }

    public static long Corrupt(string databasePath)
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Pooling=False"))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        using var file = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite);
        var header = new byte[100];
        file.ReadExactly(header);
        var size = (header[16] << 8) | header[17];
        var pageSize = size == 1 ? 65536 : size;
        var pageCount = file.Length / pageSize;
        var first = (pageCount / 2) - 2;
        var garbage = new byte[pageSize * 4];
        new Random(1409).NextBytes(garbage);
        file.Seek((first - 1) * pageSize, SeekOrigin.Begin);
        file.Write(garbage);
        file.Flush(flushToDisk: true);
        Console.WriteLine($"(finding 9: overwrote pages {first}–{first + 3} of {pageCount} ({pageSize} bytes each) of {databasePath} with random bytes)");
        return first;
    }

    public async Task Finding9Damaged()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (!Alive(options.ServerPid))
            {
                Record("9", "start on a store with 4 random pages in its middle", false, "the service exited without listening (refused the store; see its output below)");
                return;
            }

            var ready = await api.Get(new Caller("anonymous", null), "/health/ready");
            if (ready.Status == 200)
            {
                var write = await api.Put(writer, $"/api/v1/suppliers/f9-after-{tag}", Supplier());
                var read = await api.Get(_compliance, $"/api/v1/suppliers/f9s-{tag}-7/risk");
                Record("9", "start on a store with 4 random pages in its middle", true, $"/health/ready 200 {Answer.Short(ready.Body, 60)}; a write answered {write.Status}; a damaged subject's risk {read.Status}");
                return;
            }

            if (ready.Status > 0)
            {
                Record("9", "start on a store with 4 random pages in its middle", false, $"/health/ready {ready.Status} {Answer.Short(ready.Body, 80)}");
                return;
            }

            await Task.Delay(500);
        }

        Record("9", "start on a store with 4 random pages in its middle", false, "no answer within 90 s and the process still runs");
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding 10: duplicate and case-variant keys, bidi controls in names, crit header, clock skew, verify probing, silo ports.

    public async Task Finding10()
    {
        var puts = new (string Probe, string Body)[]
        {
            ("supplier PUT with \"name\" twice", """{"name":"A","name":"B","country":"MY","sector":"apparel"}"""),
            ("supplier PUT with \"name\" and \"Name\"", """{"name":"A","Name":"B","country":"MY","sector":"apparel"}"""),
            ("supplier PUT with a U+202E (right-to-left override) in the name", """{"name":"Sunrise \u202Egnp.exe","country":"MY","sector":"apparel"}"""),
            ("supplier PUT with a U+200B (zero-width space) in the name", """{"name":"Sun\u200Brise","country":"MY","sector":"apparel"}"""),
        };
        var n = 0;
        foreach (var (probe, body) in puts)
        {
            var answer = await api.Put(writer, $"/api/v1/suppliers/f10-{tag}-{n++}", body);
            Record("10", probe, answer.Status is 200 or 201, $"{answer.Status}{(answer.Status == 400 ? " naming " + Errors(answer) : string.Empty)}");
        }

        var crit = await api.Get(new Caller("crit token", api.Tokens.Create("probe-crit-" + tag, ["compliance"], extraHeader: new JsonObject { ["crit"] = new JsonArray("x-unknown-extension") })), "/api/v1/suppliers?limit=1");
        Record("10", "JWT with crit:[\"x-unknown-extension\"]", crit.Status == 200, $"{crit.Status} {(crit.Status == 401 ? Answer.Short(crit.Json?["detail"]?.ToString() ?? string.Empty, 80) : string.Empty)}");
        var late = await api.Get(new Caller("expired token", api.Tokens.Create("probe-late-" + tag, ["compliance"], expiresIn: TimeSpan.FromSeconds(-120))), "/api/v1/suppliers?limit=1");
        Record("10", "JWT expired 120 s ago (clock skew)", late.Status == 200, $"{late.Status}");

        var existing = await api.Post(_officer, "/api/v1/referrals/verify", Package.Replace("MARK", "probe" + tag, StringComparison.Ordinal).Replace("SUBJECT", F1Supplier, StringComparison.Ordinal));
        var missing = await api.Post(_officer, "/api/v1/referrals/verify", Package.Replace("MARK", "probe" + tag, StringComparison.Ordinal).Replace("SUBJECT", "no-such-" + tag, StringComparison.Ordinal));
        // The two answers, the subject's id and the request's trace id aside, tell whether the subject exists.
        static string Comparable(Answer a, string subject)
        {
            if (a.Json is JsonObject json)
            {
                json.Remove("traceId");
                return json.ToJsonString().Replace(subject, "X", StringComparison.Ordinal);
            }

            return a.Body.Replace(subject, "X", StringComparison.Ordinal);
        }

        var differ = existing.Status != missing.Status || Comparable(existing, F1Supplier) != Comparable(missing, "no-such-" + tag);
        Record("10", "verify of a never-built package: existing vs missing subject", differ || existing.Status == 200,
            $"existing subject {existing}; missing subject {missing.Status}{(differ ? " (answers differ)" : " (same answer)")}");

        foreach (var (what, port) in new[] { ("silo", options.SiloPort), ("gateway", options.GatewayPort) })
        {
            var external = NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            if (external is null || port == 0)
            {
                Record("10", $"Orleans {what} port from a non-loopback address", false, "no non-loopback IPv4 address on this host to test from");
                continue;
            }

            using var client = new TcpClient();
            bool connected;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await client.ConnectAsync(external, port, timeout.Token);
                connected = true;
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                connected = false;
            }

            var listening = ListeningAddresses(port).Select(a => a.ToString()).Distinct().ToList();
            Record("10", $"Orleans {what} port: listening addresses, and a connect to {external}", connected || listening.Any(a => !IPAddress.IsLoopback(IPAddress.Parse(a))),
                $"listens on {(listening.Count == 0 ? "nothing" : string.Join(", ", listening))} (/proc/net/tcp*); connect to {external}:{port} {(connected ? "accepted" : "refused")}");
        }
    }

    /// <summary>Local addresses of the sockets listening on a TCP port of this host (Linux /proc/net/tcp and tcp6).</summary>
    private static IEnumerable<IPAddress> ListeningAddresses(int port)
    {
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = columns[1].Split(':');
                if (columns[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                var bytes = Convert.FromHexString(local[0]);
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }

                yield return new IPAddress(bytes);
            }
        }
    }

    /// <summary>A sweep of read endpoints by every non-grievance role, for the leak count.</summary>
    public async Task Sweep()
    {
        string[] paths =
        [
            "/api/v1/suppliers?limit=200", "/api/v1/recruiters?limit=200", "/api/v1/escalations?limit=500", "/api/v1/admin/quarantine",
            $"/api/v1/suppliers/f5r-{tag}", $"/api/v1/suppliers/f5r-{tag}/risk", $"/api/v1/suppliers/f5c-{tag}/risk", $"/api/v1/suppliers/f2s-{tag}/risk",
            $"/api/v1/referrals/access-log?subjectId=sup:f2s-{tag}", $"/api/v1/grievances/CANARYG-R-{tag}", "/api/v1/webhooks/subscriptions",
        ];
        // Control: the one role that may read the texts does see them, so a search that finds nothing elsewhere is a real result.
        var own = await api.Get(writer, $"/api/v1/grievances/CANARYG-R-{tag}");
        Console.WriteLine($"(control: the grievance-handler's GET /api/v1/grievances/CANARYG-R-{tag} {own.Status}, carries the narrative canary: "
            + $"{own.Body.Contains(Narrative, StringComparison.Ordinal)}, the contact canary: {own.Body.Contains(Contact, StringComparison.Ordinal)})");
        foreach (var caller in new[] { _compliance, _admin, _ngo, _officer })
        {
            foreach (var path in paths)
            {
                await api.Get(caller, path);
            }
        }
    }
}

/// <summary>What the probe knows of the service beyond its URL.</summary>
public sealed record Options(int ServerPid, int SiloPort, int GatewayPort);
