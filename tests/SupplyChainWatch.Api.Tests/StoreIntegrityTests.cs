using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Issue 14, finding 9: a store damaged in the middle of the file is noticed at start, and the service refuses it.</summary>
public sealed class StoreIntegrityTests
{
    [Fact]
    public async Task A_sqlite_file_with_garbage_over_pages_in_its_middle_makes_the_service_refuse_to_start_saying_what_to_do()
    {
        var data = TestPaths.NewTempDirectory();
        var databasePath = Path.Combine(data, "scw.db");
        await using (var service = await ServiceProcess.StartAsync(data))
        {
            using var client = service.CreateClient();
            // Enough evidence that the file spans many pages of several tables and indexes.
            var lines = new StringBuilder();
            for (var i = 0; i < 300; i++)
            {
                var audit = JsonSerializer.SerializeToNode(Samples.Audit($"si-aud-{i}", $"si-sup-{i % 40}", null, Samples.Finding("F1", "documents", "major", 3)), ApiCalls.Json)!.AsObject();
                audit["kind"] = "audit";
                lines.AppendLine(audit.ToJsonString());
            }

            var import = (await client.SendAsync(HttpMethod.Post, "/api/v1/signals:import", lines.ToString(), "application/x-ndjson")).Expect(HttpStatusCode.OK);
            Assert.Equal(300, import["accepted"]!.GetValue<int>());
            Assert.Equal(0, await service.StopAsync(TimeSpan.FromSeconds(60)));
        }

        // Everything in the main file (an empty WAL), then garbage over four pages in the middle of it.
        await using (var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }

        var first = CorruptMiddlePages(databasePath, 4);
        Assert.True(first > 1, "page 1 (header and schema) is left alone: the damage is in the middle");

        var (exitCode, output) = await ServiceProcess.RunToExitAsync(data, []);

        Assert.Equal(1, exitCode);
        Assert.Contains($"The SQLite store '{databasePath}' failed its integrity check (PRAGMA quick_check)", output, StringComparison.Ordinal);
        Assert.Contains("Refusing to run on it", output, StringComparison.Ordinal);
        Assert.Contains($"restore '{databasePath}' from the last backup", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
    }

    /// <summary>Overwrites <paramref name="pages"/> pages around the middle of the file with random bytes; returns the first (1-based).</summary>
    private static long CorruptMiddlePages(string path, int pages)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var header = new byte[100];
        file.ReadExactly(header);
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16, 2)) is var size and not 1 ? size : 65536;
        var pageCount = file.Length / pageSize;
        Assert.True(pageCount >= 20, $"the service wrote only {pageCount} pages");
        var first = (pageCount / 2) - (pages / 2);
        var garbage = new byte[pageSize * pages];
        new Random(1409).NextBytes(garbage);
        file.Seek((first - 1) * pageSize, SeekOrigin.Begin);
        file.Write(garbage);
        file.Flush(flushToDisk: true);
        return first;
    }
}
