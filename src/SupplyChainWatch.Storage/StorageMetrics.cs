using System.Diagnostics.Metrics;

namespace SupplyChainWatch.Storage;

/// <summary>
/// The store's own instruments: how many requests each group commit writes in one transaction (large batches under
/// load are the point of group commit; batches of one under load mean the store is the bottleneck). Static because the
/// queues are created by the stores and the instruments cost nothing until a listener enables them.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "SupplyChainWatch.Storage";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("scw.store.group_commit.batch_size", "{request}", "Requests written by one group-commit transaction.");

    /// <summary>Records one batch of <paramref name="size"/> requests written by the queue of <paramref name="store"/>.</summary>
    public static void RecordBatch(string store, int size)
    {
        if (BatchSize.Enabled)
        {
            BatchSize.Record(size, new KeyValuePair<string, object?>("store", store));
        }
    }
}
