using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// Finds subjects whose evidence log is ahead of their derived high-water mark and activates their grains, which derive
/// what is missing on activation. At silo start it looks at the whole log (consequences of signals acknowledged before a
/// crash); afterwards, every <see cref="SubjectGrainOptions.SweepEvery"/>, at rows appended since the sweep before the
/// last (a silo of the cluster may have died holding acknowledged signals' derived writes in memory). A subject whose
/// grain is active and merely a moment behind is asked its score and nothing more happens.
/// </summary>
public sealed class DerivedSweep(IDerivedStore store, IGrainFactory grains, IOptions<SubjectGrainOptions> options, ILogger<DerivedSweep> logger) : BackgroundService
{
    private const int Parallelism = 16;

    /// <summary>Subjects re-activated by sweeps of this process (for tests and the log).</summary>
    public long Reactivated => Interlocked.Read(ref _reactivated);

    private long _reactivated;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long previous = 0, current = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (subjects, through) = await store.ListBehindAsync(previous, stoppingToken).ConfigureAwait(false);
                if (subjects.Count > 0)
                {
                    logger.LogInformation("Deriving {Count} subjects whose evidence log is ahead of their derived views", subjects.Count);
                    await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
                        async (subject, _) => await grains.GetSubjectGrain(subject).GetScoreAsync().ConfigureAwait(false)).ConfigureAwait(false);
                    Interlocked.Add(ref _reactivated, subjects.Count);
                }

                (previous, current) = (current, through);
                await Task.Delay(options.Value.SweepEvery, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The sweep must outlive a failed round (the store restarting, a silo leaving): it tries again.
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Derived-view sweep failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
#pragma warning restore CA1031
        }
    }
}
