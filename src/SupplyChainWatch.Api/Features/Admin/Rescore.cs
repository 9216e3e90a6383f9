using System.Collections.Concurrent;
using System.Diagnostics;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Admin;

/// <summary>Progress of a re-scoring job.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="State"><c>running</c>, <c>done</c> or <c>failed</c>.</param>
/// <param name="Done">Subjects re-evaluated so far.</param>
/// <param name="Total">Subjects in the evidence log when the job started.</param>
/// <param name="Changed">Subjects whose score, band or forced-labour status changed (read model, escalations and links updated).</param>
/// <param name="Rate">Subjects per second so far.</param>
/// <param name="EtaSeconds">Estimated seconds left while running.</param>
/// <param name="StartedAt">When the job started.</param>
/// <param name="FinishedAt">When it ended.</param>
public sealed record RescoreJobView(string JobId, string State, long Done, long Total, long Changed, double Rate, double? EtaSeconds, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

public sealed record StartRescore : IRequest<RescoreJobView>;

public sealed record GetRescoreJob(string JobId) : IRequest<CommandResult<RescoreJobView>>;

/// <summary>
/// Re-scoring jobs of this process. A job lists every subject in the evidence log and asks each subject grain to
/// re-evaluate with the loaded risk model, a bounded number at a time. Jobs live in memory: progress is for watching a
/// run, and a job cut short by a restart is simply started again (re-scoring is idempotent).
/// </summary>
public sealed class RescoreJobs(IEvidenceLog evidenceLog, EvidenceSubmitter submitter, ServiceClock clock, IHostApplicationLifetime lifetime, ILogger<RescoreJobs> logger)
{
    private const int Parallelism = 64;
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);

    public RescoreJobView Start()
    {
        var job = new Job(Guid.NewGuid().ToString("N"), clock.Now);
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job, lifetime.ApplicationStopping));
        return job.View(clock.Now);
    }

    public RescoreJobView? Find(string jobId) => _jobs.TryGetValue(jobId, out var job) ? job.View(clock.Now) : null;

    private async Task RunAsync(Job job, CancellationToken stopping)
    {
        try
        {
            var subjects = await evidenceLog.ListSubjectsAsync(stopping);
            Interlocked.Exchange(ref job.Total, subjects.Count);
            await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stopping }, async (subject, _) =>
            {
                if (await submitter.Grain(subject).RescoreAsync())
                {
                    Interlocked.Increment(ref job.Changed);
                }

                Interlocked.Increment(ref job.Done);
            });
            job.Finish("done", clock.Now);
            logger.LogInformation("Re-scoring {JobId} re-evaluated {Total} subjects, {Changed} changed", job.Id, job.Total, job.Changed);
        }
#pragma warning disable CA1031 // A background job reports its failure through its state; nothing else would see it.
        catch (Exception exception)
        {
            job.Finish("failed", clock.Now);
            logger.LogError("Re-scoring {JobId} failed after {Done} subjects: {ExceptionType}", job.Id, job.Done, exception.GetType().Name);
        }
#pragma warning restore CA1031
    }

    private sealed class Job(string id, DateTimeOffset startedAt)
    {
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
#pragma warning disable SA1401, CA1051 // Counters updated with Interlocked.
        public long Done;
        public long Total;
        public long Changed;
#pragma warning restore SA1401, CA1051
        private volatile string _state = "running";
        private DateTimeOffset? _finishedAt;

        public string Id { get; } = id;

        public void Finish(string state, DateTimeOffset at)
        {
            _elapsed.Stop();
            _finishedAt = at;
            _state = state;
        }

        public RescoreJobView View(DateTimeOffset now)
        {
            var done = Interlocked.Read(ref Done);
            var total = Interlocked.Read(ref Total);
            var seconds = _elapsed.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? done / seconds : 0;
            double? eta = _state == "running" && rate > 0 ? (total - done) / rate : null;
            return new RescoreJobView(Id, _state, done, total, Interlocked.Read(ref Changed), Math.Round(rate, 1), eta is null ? null : Math.Round(eta.Value, 1), startedAt, _finishedAt);
        }
    }
}

public sealed class StartRescoreHandler(RescoreJobs jobs) : IRequestHandler<StartRescore, RescoreJobView>
{
    public ValueTask<RescoreJobView> Handle(StartRescore request, CancellationToken cancellationToken) => ValueTask.FromResult(jobs.Start());
}

public sealed class GetRescoreJobHandler(RescoreJobs jobs) : IRequestHandler<GetRescoreJob, CommandResult<RescoreJobView>>
{
    public ValueTask<CommandResult<RescoreJobView>> Handle(GetRescoreJob request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<CommandResult<RescoreJobView>>(jobs.Find(request.JobId) is { } view
            ? new CommandResult<RescoreJobView>.Ok(view, Created: false)
            : new CommandResult<RescoreJobView>.NotFound($"No re-scoring job '{request.JobId}' in this process."));
}
