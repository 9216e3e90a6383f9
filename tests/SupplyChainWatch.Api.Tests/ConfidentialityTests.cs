using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Grievance narratives and reporter contacts are stored, but no endpoint and no log line ever shows them.</summary>
public sealed class ConfidentialityTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Narrative_and_contact_appear_in_no_answer_and_no_log_line()
    {
        var client = fixture.Factory.CreateClient();
        var narrativeCanary = $"NARRATIVE-CANARY-{Guid.NewGuid():N}";
        var contactCanary = $"CONTACT-CANARY-{Guid.NewGuid():N}";
        var supplier = $"conf-sup-{Guid.NewGuid():N}"[..20];
        var recruiter = $"conf-rec-{Guid.NewGuid():N}"[..20];
        var grievance = $"conf-grv-{Guid.NewGuid():N}"[..20];
        var answers = new List<string>();

        async Task Collect(Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body)> call)
        {
            var answer = await call;
            answers.Add($"{(int)answer.Status} {answer.Body?.ToJsonString()}");
        }

        await Collect(client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, recruiter, "2026-11-10T10:00:00Z",
            $"They took our passports. {narrativeCanary}", $"+60 12 {contactCanary}", "document-retention", "isolation", "threat-violence-or-denunciation")));
        // A repeat (answered like the first) and a conflicting repeat (409 that must not quote the text).
        await Collect(client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, recruiter, "2026-11-10T10:00:00Z",
            $"They took our passports. {narrativeCanary}", $"+60 12 {contactCanary}", "document-retention", "isolation", "threat-violence-or-denunciation")));
        await Collect(client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, recruiter, "2026-11-10T10:00:00Z",
            $"Changed account {narrativeCanary}", contactCanary, "document-retention")));
        // Invalid input carrying the canary must not echo it either.
        await Collect(client.PostJsonAsync("/api/v1/grievances", new { grievanceId = grievance, narrative = narrativeCanary, reporterContact = contactCanary, anonymity = contactCanary }));
        await Collect(client.PostJsonAsync($"/api/v1/grievances/{grievance}/status", new { status = "acknowledged", on = "2026-11-11" }));

        fixture.Factory.Clock.Advance(TimeSpan.FromDays(9));
        await Collect(client.GetJsonAsync($"/api/v1/suppliers/{supplier}"));
        await Collect(client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk"));
        await Collect(client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk?asOf=2026-11-21T00:00:00Z"));
        await Collect(client.GetJsonAsync($"/api/v1/recruiters/{recruiter}"));
        await Collect(client.GetJsonAsync($"/api/v1/recruiters/{recruiter}/risk"));
        await fixture.Factory.DerivedViewsCaughtUpAsync(); // Lists and escalations are derived behind the answers: read them once written.
        await Collect(client.GetJsonAsync("/api/v1/suppliers?limit=500"));
        await Collect(client.GetJsonAsync("/api/v1/recruiters?limit=500"));
        await Collect(client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}&limit=500"));
        await Collect(client.GetJsonAsync($"/api/v1/escalations?subjectId=rec:{recruiter}&limit=500"));

        Assert.Contains(answers, a => a.StartsWith("201", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("409", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("forced-labour", StringComparison.Ordinal) || a.Contains("indicated", StringComparison.Ordinal));
        foreach (var canary in new[] { narrativeCanary, contactCanary })
        {
            Assert.DoesNotContain(answers, a => a.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(fixture.Factory.Logs.Lines, l => l.Contains(canary, StringComparison.Ordinal));
        }

        // Stored all the same: the vault holds it for the grievance roles.
        var stored = await fixture.Factory.Service<SupplyChainWatch.Storage.IGrievanceVault>().ReadAsync(grievance, "confidentiality-test");
        Assert.Contains(narrativeCanary, stored!.Narrative, StringComparison.Ordinal);
        Assert.Contains(contactCanary, stored.ReporterContact, StringComparison.Ordinal);
    }
}
