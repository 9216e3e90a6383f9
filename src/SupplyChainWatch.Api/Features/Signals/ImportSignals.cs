using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mediator;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Grievances;
using SupplyChainWatch.Api.Features.RecruitmentFees;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;

namespace SupplyChainWatch.Api.Features.Signals;

/// <summary>A line of an import that was not accepted.</summary>
/// <param name="Line">1-based line number in the uploaded file.</param>
/// <param name="Id">The signal's id (auditId, grievanceId or reportId) when the line names one.</param>
/// <param name="Outcome"><c>rejected</c> (invalid, nothing stored) or <c>conflict</c> (the id exists with other content).</param>
/// <param name="Status">The status the single endpoint would have answered: 400 or 409.</param>
/// <param name="Title">Problem title, as in RFC 9457 answers.</param>
/// <param name="Detail">Problem detail for conflicts.</param>
/// <param name="Errors">Field errors for rejected lines, named as in the single endpoints.</param>
public sealed record ImportLineResult(long Line, string? Id, string Outcome, int Status, string Title, string? Detail, IDictionary<string, string[]>? Errors);

/// <summary>What an import did. Accepted + duplicates + rejected + conflicts = lines.</summary>
/// <param name="Lines">Non-blank lines read.</param>
/// <param name="Accepted">Lines whose signal is new in the evidence log.</param>
/// <param name="Duplicates">Lines whose signal was already recorded with the same content (nothing changed).</param>
/// <param name="Rejected">Invalid lines (nothing stored).</param>
/// <param name="Conflicts">Lines whose id was recorded before with other content (nothing stored).</param>
/// <param name="Results">One entry per rejected or conflicting line, in line order.</param>
/// <param name="ResultsTruncated">More lines failed than <c>results</c> lists.</param>
/// <param name="SubjectsCreated">
/// Suppliers and recruiters the import created because nothing, not even a profile, was recorded about them before
/// (a mistyped id is one); list them with <c>?profile=missing</c> on the supplier and recruiter lists.
/// </param>
public sealed record ImportSummary(long Lines, long Accepted, long Duplicates, long Rejected, long Conflicts, IReadOnlyList<ImportLineResult> Results, bool ResultsTruncated,
    long SubjectsCreated);

/// <summary>An NDJSON stream of signals, one per line, read as it arrives.</summary>
public sealed record ImportSignals(PipeReader Body) : IRequest<ImportSummary>;

/// <summary>
/// Reads one import line: finds its <c>kind</c>, reads the rest with the single endpoints' strict JSON rules, and
/// hands it to the same Prepare function the single endpoint uses, so both paths validate and store alike.
/// </summary>
public static class ImportLineValidator
{
    public const int MaxLineBytes = 1_048_576;

    private static readonly Type[] BodyTypes = [typeof(AuditBody), typeof(GrievanceBody), typeof(FeeReportBody)];

    /// <summary>The API's JSON options, plus a write-only <c>kind</c> member on the three bodies so strictness stays on for every other unknown field.</summary>
    public static JsonSerializerOptions LineOptions(JsonSerializerOptions apiOptions)
    {
        ArgumentNullException.ThrowIfNull(apiOptions);
        var resolver = apiOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver();
        var options = new JsonSerializerOptions(apiOptions)
        {
            TypeInfoResolver = resolver.WithAddedModifier(info =>
            {
                if (info.Kind == JsonTypeInfoKind.Object && BodyTypes.Contains(info.Type))
                {
                    var kind = info.CreateJsonPropertyInfo(typeof(string), "kind");
                    kind.Set = static (_, _) => { };
                    info.Properties.Add(kind);
                }
            }),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Validates one line into the rows it stores. A line that starts with its <c>kind</c> (as exported files do) is read
    /// once, by the deserialiser; any other is scanned for its kind first. The signal's id is looked for separately only
    /// when the line fails, to name it in the result.
    /// </summary>
    public static PreparedSignal? Prepare(ReadOnlySpan<byte> line, JsonSerializerOptions options, DateTimeOffset now, CurrencyConverter currencies, Validation validation, out string? id)
    {
        id = null;
        PreparedSignal? signal = null;
        try
        {
            var kind = LeadingKind(line) ?? Scan(line, validation, out id);
            if (kind is null)
            {
                return null;
            }

            var today = DateOnly.FromDateTime(now.UtcDateTime);
            switch (kind)
            {
                case "audit":
                    var audit = JsonSerializer.Deserialize<AuditBody>(line, options);
                    signal = SubmitAuditValidator.Prepare(audit, today, validation);
                    break;
                case "grievance":
                    var grievance = JsonSerializer.Deserialize<GrievanceBody>(line, options);
                    signal = SubmitGrievanceValidator.Prepare(grievance, now, validation);
                    break;
                case "recruitment-fee":
                    var fee = JsonSerializer.Deserialize<FeeReportBody>(line, options);
                    signal = SubmitFeeReportValidator.Prepare(fee, today, currencies, validation);
                    break;
                default:
                    validation.Add("kind", "must be one of: audit, grievance, recruitment-fee");
                    break;
            }
        }
        catch (JsonException json)
        {
            foreach (var (field, messages) in ProblemExceptionHandler.JsonErrors(json))
            {
                foreach (var message in messages)
                {
                    validation.Add(field, message);
                }
            }
        }

        id = signal?.Id ?? id ?? IdOf(line);
        return signal;
    }

    /// <summary>The <c>kind</c> when it is the line's first member (one token read), else null.</summary>
    private static string? LeadingKind(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 32 });
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("kind"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String
                ? reader.GetString()
                : null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return null; // The full scan reports it (a lone surrogate in the kind is an InvalidOperationException here).
        }
    }

    /// <summary>The signal's id as far as the line can be read (a line cut short still names it), else null.</summary>
    private static string? IdOf(ReadOnlySpan<byte> line)
    {
        string? id = null;
        try
        {
            Scan(line, new Validation(), out id);
        }
        catch (JsonException)
        {
            // The id read before the fault, if any, is in id.
        }

        return id;
    }

    /// <summary>Reads the top-level <c>kind</c> and the signal's id without building anything.</summary>
    private static string? Scan(ReadOnlySpan<byte> line, Validation validation, out string? id)
    {
        id = null;
        string? kind = null;
        var kindSeen = false;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 32 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            validation.Add("body", "must be a JSON object");
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKind = reader.ValueTextEquals("kind"u8);
            var idField = reader.ValueTextEquals("auditId"u8) ? "auditId"
                : reader.ValueTextEquals("grievanceId"u8) ? "grievanceId"
                : reader.ValueTextEquals("reportId"u8) ? "reportId"
                : null;
            reader.Read();
            if (isKind)
            {
                kindSeen = true;
                kind = reader.TokenType == JsonTokenType.String ? StrictJson.TryGetString(ref reader, "kind", validation) : null;
                if (kind is null && validation.Errors.ContainsKey("kind"))
                {
                    return null;
                }
            }
            else if (idField is not null && reader.TokenType == JsonTokenType.String)
            {
                // An id that is not text (a lone surrogate, invalid UTF-8) is the line's error; it is not echoed.
                id = StrictJson.TryGetString(ref reader, idField, validation);
                if (id is null)
                {
                    return null;
                }
            }

            reader.Skip();
        }

        if (kind is null)
        {
            validation.Add("kind", kindSeen ? "must be one of: audit, grievance, recruitment-fee" : "is required");
        }

        return kind;
    }
}

/// <summary>
/// Streams the body line by line (never holding more than a chunk of lines), validates each line, and submits valid
/// lines in chunks through <see cref="EvidenceSubmitter.SubmitManyAsync"/>: one batched append per chunk. The subjects'
/// grains catch up once for many chunks (at the end, or when <see cref="CatchUpAfterSubjects"/> subjects or
/// <see cref="CatchUpAfterRows"/> rows are pending): a subject named in every chunk would otherwise take a grain turn, an
/// evaluation and a snapshot per chunk. The answer comes after the last catch-up, so risk reflects the whole import.
/// While one chunk is being written the next is parsed. Bad lines are reported and never block good ones.
/// </summary>
public sealed class ImportSignalsHandler(EvidenceSubmitter submitter, CurrencyConverter currencies, ServiceClock clock, IOptions<JsonOptions> json)
    : IRequestHandler<ImportSignals, ImportSummary>
{
    public const int MaxResults = 10_000;
    private const int ChunkRows = 4_000;
    private const int CatchUpAfterSubjects = 20_000;
    private const int CatchUpAfterRows = 100_000; // Rows kept for the grains until then: about 1.5 KB each (content JSON and its record).

    private readonly JsonSerializerOptions _options = ImportLineValidator.LineOptions(json.Value.SerializerOptions);

    public async ValueTask<ImportSummary> Handle(ImportSignals request, CancellationToken cancellationToken)
    {
        var state = new ImportState();
        var pendingCatchUps = new PendingCatchUps();
        long rowsPending = 0;
        var chunk = new Chunk();
        Task pending = Task.CompletedTask;
        var reader = request.Body;
        long lineNumber = 0;
        var discarding = false; // Inside a line longer than MaxLineBytes: skip to its end.

        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (true)
            {
                var newline = buffer.PositionOf((byte)'\n');
                if (newline is null)
                {
                    break;
                }

                lineNumber++;
                if (discarding)
                {
                    discarding = false;
                }
                else
                {
                    ProcessLine(buffer.Slice(0, newline.Value), lineNumber, state, chunk);
                }

                buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                if (chunk.Rows >= ChunkRows)
                {
                    await pending;
                    rowsPending += chunk.Rows;
                    var catchUpNow = rowsPending >= CatchUpAfterRows;
                    rowsPending = catchUpNow ? 0 : rowsPending;
                    pending = SubmitAsync(chunk, state, pendingCatchUps, catchUpNow, cancellationToken);
                    chunk = new Chunk();
                }
            }

            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty && !discarding)
                {
                    ProcessLine(buffer, ++lineNumber, state, chunk);
                }

                reader.AdvanceTo(buffer.End);
                break;
            }

            if (!discarding && buffer.Length > ImportLineValidator.MaxLineBytes)
            {
                state.Reject(lineNumber + 1, null, new Dictionary<string, string[]> { ["body"] = [$"the line is longer than {ImportLineValidator.MaxLineBytes} bytes"] });
                discarding = true;
            }

            // Consume what we looked at; a partial line stays unless it is being discarded.
            reader.AdvanceTo(discarding ? buffer.End : buffer.Start, buffer.End);
        }

        await pending;
        await SubmitAsync(chunk, state, pendingCatchUps, catchUpNow: true, cancellationToken);
        return state.Summary();
    }

    private void ProcessLine(ReadOnlySequence<byte> line, long lineNumber, ImportState state, Chunk chunk)
    {
        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        if (bytes.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        state.Line();
        var validation = new Validation();
        var signal = ImportLineValidator.Prepare(bytes, _options, clock.Now, currencies, validation, out var id);
        if (signal is null)
        {
            state.Reject(lineNumber, id, validation.Errors);
            return;
        }

        chunk.Add(lineNumber, signal);
    }

    private async Task SubmitAsync(Chunk chunk, ImportState state, PendingCatchUps pendingCatchUps, bool catchUpNow, CancellationToken cancellationToken)
    {
        var submissions = chunk.Signals.Count == 0 ? [] : await submitter.SubmitManyAsync(chunk.Signals, cancellationToken, pendingCatchUps);
        if (catchUpNow || pendingCatchUps.Subjects >= CatchUpAfterSubjects)
        {
            await submitter.CatchUpAsync(pendingCatchUps);
        }

        for (var i = 0; i < submissions.Count; i++)
        {
            var signal = chunk.Signals[i];
            switch (submissions[i])
            {
                case Submission.Accepted accepted:
                    // A duplicate line created nothing in this import, as it is not counted as accepted either.
                    state.Accept(accepted.Duplicate, accepted.Duplicate ? 0 : accepted.CreatedSubjects.Count);
                    break;
                case Submission.Conflicting conflicting:
                    state.Conflict(chunk.LineNumbers[i], signal.Id, signal.DescribeConflict(conflicting.Keys));
                    break;
                default:
                    throw new InvalidOperationException("Unknown submission outcome.");
            }
        }
    }

    private sealed class Chunk
    {
        public List<PreparedSignal> Signals { get; } = [];

        public List<long> LineNumbers { get; } = [];

        public int Rows { get; private set; }

        public void Add(long lineNumber, PreparedSignal signal)
        {
            Signals.Add(signal);
            LineNumbers.Add(lineNumber);
            Rows += signal.Rows.Count;
        }
    }

    /// <summary>
    /// Counters and failed lines. The chunk being written reports while the next chunk is parsed, so every change takes
    /// the lock; results are sorted by line at the end.
    /// </summary>
    private sealed class ImportState
    {
        private readonly Lock _lock = new();
        private readonly List<ImportLineResult> _results = [];
        private long _lines;
        private long _accepted;
        private long _duplicates;
        private long _rejected;
        private long _conflicts;
        private long _subjectsCreated;
        private bool _truncated;

        public void Line()
        {
            lock (_lock)
            {
                _lines++;
            }
        }

        public void Accept(bool duplicate, int subjectsCreated)
        {
            lock (_lock)
            {
                _subjectsCreated += subjectsCreated;
                if (duplicate)
                {
                    _duplicates++;
                }
                else
                {
                    _accepted++;
                }
            }
        }

        public void Reject(long line, string? id, IDictionary<string, string[]> errors)
        {
            lock (_lock)
            {
                _rejected++;
                Add(new ImportLineResult(line, id, "rejected", StatusCodes.Status400BadRequest, "The line is invalid.", null, errors));
            }
        }

        public void Conflict(long line, string id, string detail)
        {
            lock (_lock)
            {
                _conflicts++;
                Add(new ImportLineResult(line, id, "conflict", StatusCodes.Status409Conflict, "Conflicting duplicate.", detail, null));
            }
        }

        public ImportSummary Summary()
        {
            lock (_lock)
            {
                return new(_lines, _accepted, _duplicates, _rejected, _conflicts, [.. _results.OrderBy(r => r.Line)], _truncated, _subjectsCreated);
            }
        }

        private void Add(ImportLineResult result)
        {
            if (_results.Count < MaxResults)
            {
                _results.Add(result);
            }
            else
            {
                _truncated = true;
            }
        }
    }
}
