using System.Collections.Concurrent;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

public interface IStorageProbeGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();

    Task RegisterReminderAsync(TimeSpan period);

    Task<bool> HasReminderAsync();
}

[GenerateSerializer]
public sealed class StorageProbeState
{
    [Id(0)]
    public int Count { get; set; }
}

/// <summary>A grain whose state lives in the "scw" storage and which records reminder ticks where tests can see them.</summary>
public sealed class StorageProbeGrain(
    [PersistentState("storage-probe", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    public static ConcurrentDictionary<string, int> ReminderTicks { get; } = new();

    public async Task<int> IncrementAsync()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Count);

    public async Task RegisterReminderAsync(TimeSpan period) => await this.RegisterOrUpdateReminder(ReminderName, period, period);

    public async Task<bool> HasReminderAsync() => await this.GetReminder(ReminderName) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderTicks.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
