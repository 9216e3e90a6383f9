namespace SupplyChainWatch.Storage;

/// <summary>
/// SQLite mode only: Orleans' ADO.NET reminder table with its writes (upsert, delete) sent through the database's FIFO write
/// gate, for the same reason as <see cref="SerializedGrainStorage"/>. Reads pass straight through.
/// </summary>
public sealed class SerializedReminderTable(IReminderTable inner, SemaphoreSlim writeGate) : IReminderTable
{
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

    public Task<string?> UpsertRow(ReminderEntry entry) => Gated(() => inner.UpsertRow(entry));

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => Gated(() => inner.RemoveRow(grainId, reminderName, eTag));

    public Task TestOnlyClearTable() => Gated(async () =>
    {
        await inner.TestOnlyClearTable().ConfigureAwait(false);
        return true;
    });

    private async Task<T> Gated<T>(Func<Task<T>> write)
    {
        await writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }
}
