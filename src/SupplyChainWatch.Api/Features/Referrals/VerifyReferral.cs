using System.Text.Json.Nodes;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Referrals;

/// <summary>Something in a package that does not hold.</summary>
/// <param name="SubjectSeq">The item concerned, if the problem is in one. <example>4</example></param>
/// <param name="Field">Which part. <example>items[1].contentJson</example></param>
/// <param name="Problem">What is wrong. <example>its SHA-256 is not the contentHash recorded in the evidence log</example></param>
public sealed record VerificationProblem(long? SubjectSeq, string Field, string Problem);

/// <summary>The answer of a verification.</summary>
/// <param name="Valid">True when nothing was altered: every item matches the evidence log, the chain verifies, and the package equals the one built.</param>
/// <param name="ReferralId">The package checked. <example>rfp_4c1e0b9a7d2f4e6a8b3c5d7e9f1a2b3c</example></param>
/// <param name="ItemsChecked">Items compared with the log. <example>3</example></param>
/// <param name="ChainValid">Whether the subject's whole hash chain recomputes, and the package's chain head is in it.</param>
/// <param name="Problems">Each difference found.</param>
public sealed record VerificationView(bool Valid, string ReferralId, int ItemsChecked, bool ChainValid, IReadOnlyList<VerificationProblem> Problems);

/// <summary>A package as returned by GET /api/v1/referrals/{id}, to check against the evidence log.</summary>
public sealed record VerifyReferral(JsonNode? Package) : IRequest<CommandResult<VerificationView>>;

/// <summary>
/// Recomputes a package's hashes from its own content and compares them with the evidence log: the SHA-256 of every
/// non-redacted item's contentJson, every row hash (from previous hash, subject, sequence, key, kind and content hash),
/// the subject's whole chain and the chain head; then compares the rest of the package with the copy kept when it was
/// built. The package is read as plain JSON so that an altered value is reported, not rejected as a bad request.
/// </summary>
public sealed class VerifyReferralHandler(IEvidenceLog evidenceLog, SqlReferralStore store) : IRequestHandler<VerifyReferral, CommandResult<VerificationView>>
{
    private const int MaxItems = 10_000;

    public async ValueTask<CommandResult<VerificationView>> Handle(VerifyReferral request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (request.Package is not JsonObject package)
        {
            validation.Add("body", "must be a referral package (a JSON object)");
            return CommandResult<VerificationView>.From(validation);
        }

        StrictJson.Check(package, validation);
        if (!validation.IsValid)
        {
            return CommandResult<VerificationView>.From(validation);
        }

        var referralId = Text(package, "referralId", validation);
        var subjectId = Text(package, "subjectId", validation);
        if (referralId is not null)
        {
            validation.Id("referralId", referralId);
        }

        validation.OptionalSubjectKey("subjectId", subjectId);

        var items = new List<(JsonObject Item, long Seq)>();
        if (package["items"] is not JsonArray array)
        {
            validation.Add("items", "is required and must be an array");
        }
        else if (array.Count > MaxItems)
        {
            validation.Add("items", $"must have at most {MaxItems} items");
        }
        else
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject item && Number(item, "subjectSeq") is { } seq)
                {
                    items.Add((item, seq));
                }
                else
                {
                    validation.Add($"items[{i}].subjectSeq", "is required and must be an integer");
                }
            }
        }

        var head = package["chainHead"] as JsonObject;
        var headSeq = head is null ? null : Number(head, "subjectSeq");
        var headHash = head is null ? null : Text(head, "rowHash", validation, "chainHead.");
        if (headSeq is null)
        {
            validation.Add("chainHead.subjectSeq", "is required and must be an integer");
        }

        if (!validation.IsValid)
        {
            return CommandResult<VerificationView>.From(validation);
        }

        // Only a package that was built is checked, against the subject it was built for: a caller cannot make the service
        // read another subject's log (and learn whether it exists, or how many rows it has) by editing subjectId or the
        // referralId. An unknown package is the same 404 whatever else the body says.
        if (await store.GetAsync(referralId!, cancellationToken) is not { } stored)
        {
            return new CommandResult<VerificationView>.NotFound($"No referral package '{referralId}' exists.");
        }

        subjectId = stored.SubjectId;
        var problems = new List<VerificationProblem>();
        var rows = (await evidenceLog.ReadSubjectAsync(subjectId, 0, cancellationToken)).ToDictionary(r => r.SubjectSeq);
        for (var i = 0; i < items.Count; i++)
        {
            var (item, seq) = items[i];
            var at = $"items[{i}]";
            if (!rows.TryGetValue(seq, out var row))
            {
                problems.Add(new VerificationProblem(seq, at, "no such row in the subject's evidence log"));
                continue;
            }

            Compare(problems, seq, $"{at}.kind", item, "kind", row.Kind);
            Compare(problems, seq, $"{at}.idempotencyKey", item, "idempotencyKey", row.HashedKey);
            Compare(problems, seq, $"{at}.contentHash", item, "contentHash", row.ContentHash);
            Compare(problems, seq, $"{at}.previousHash", item, "previousHash", row.PreviousHash);
            Compare(problems, seq, $"{at}.rowHash", item, "rowHash", row.RowHash);
            var contentHash = Value(item, "contentHash");
            var recomputedRow = EvidenceHashing.RowHash(Value(item, "previousHash") ?? string.Empty, subjectId, seq, Value(item, "idempotencyKey") ?? string.Empty,
                Value(item, "kind") ?? string.Empty, contentHash ?? string.Empty);
            if (recomputedRow != Value(item, "rowHash"))
            {
                problems.Add(new VerificationProblem(seq, $"{at}.rowHash", "does not recompute from the item's previousHash, key, kind and contentHash"));
            }

            if (Value(item, "contentJson") is { } content)
            {
                if (EvidenceHashing.ContentHash(content) != contentHash)
                {
                    problems.Add(new VerificationProblem(seq, $"{at}.contentJson", "its SHA-256 is not the item's contentHash: the content was altered"));
                }
            }
            else if (item["redacted"]?.GetValueKind() != System.Text.Json.JsonValueKind.True)
            {
                problems.Add(new VerificationProblem(seq, $"{at}.contentJson", "is missing although the item is not marked redacted"));
            }
        }

        var chain = await evidenceLog.VerifyChainAsync(subjectId, cancellationToken);
        var chainValid = chain.Valid && rows.TryGetValue(headSeq!.Value, out var headRow) && headRow.RowHash == headHash;
        if (!chain.Valid)
        {
            problems.Add(new VerificationProblem(chain.FirstBrokenSubjectSeq, "chainHead", "the subject's hash chain in the evidence log does not recompute"));
        }
        else if (!chainValid)
        {
            problems.Add(new VerificationProblem(headSeq, "chainHead", "is not a row of the subject's hash chain"));
        }

        var built = ReferralRules.WithholdConfidentialDigests(JsonNode.Parse(stored.PackageJson)!.AsObject());
        foreach (var name in built.Select(p => p.Key).Union(package.Select(p => p.Key), StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!SameValue(built[name], package[name]))
            {
                problems.Add(new VerificationProblem(null, name, "differs from the package as it was built"));
            }
        }

        return new CommandResult<VerificationView>.Ok(new VerificationView(problems.Count == 0, referralId!, items.Count, chainValid, problems), Created: false);
    }

    /// <summary>
    /// Equal as values rather than as text, so a package that went through a typed client comes back valid: a client
    /// that leaves out null members, writes an instant as +00:00 instead of Z, or a number as 20.0 instead of 20 has
    /// altered no value. Strings are otherwise compared byte for byte (the evidence items' hashes are checked above
    /// over their exact contentJson), and a change of any value, member or element is still a difference.
    /// </summary>
    private static bool SameValue(JsonNode? left, JsonNode? right)
    {
        switch (left, right)
        {
            case (null, null):
                return true;
            case (JsonObject a, JsonObject b):
                return a.Select(p => p.Key).Union(b.Select(p => p.Key), StringComparer.Ordinal).All(name => SameValue(a[name], b[name]));
            case (JsonArray a, JsonArray b):
                return a.Count == b.Count && a.Zip(b).All(pair => SameValue(pair.First, pair.Second));
            case (JsonValue a, JsonValue b) when a.GetValueKind() == System.Text.Json.JsonValueKind.Number && b.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                return a.TryGetValue<decimal>(out var x) && b.TryGetValue<decimal>(out var y) ? x == y : a.ToJsonString() == b.ToJsonString();
            case (JsonValue a, JsonValue b) when a.GetValueKind() == System.Text.Json.JsonValueKind.String && b.GetValueKind() == System.Text.Json.JsonValueKind.String:
                var (s, t) = (a.GetValue<string>(), b.GetValue<string>());
                return s == t || (Instant(s) is { } p && Instant(t) is { } q && p == q && p.Offset == q.Offset);
            case (JsonValue a, JsonValue b):
                return JsonNode.DeepEquals(a, b);
            default:
                return false; // an object against an array, a value against null, …
        }
    }

    // Only full ISO 8601 date-times are read as instants: a plain word or number never turns into a date.
    private static DateTimeOffset? Instant(string text) =>
        text.Length >= 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T'
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var instant)
            ? instant
            : null;

    private static string? Text(JsonObject node, string name, Validation validation, string prefix = "")
    {
        if (node[name] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        validation.Add(prefix + name, "is required and must be a string");
        return null;
    }

    private static string? Value(JsonObject node, string name) =>
        node[name] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;

    private static long? Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.TryGetValue<long>(out var number) ? number : null;

    private static void Compare(List<VerificationProblem> problems, long seq, string field, JsonObject item, string name, string logged)
    {
        if (Value(item, name) != logged)
        {
            problems.Add(new VerificationProblem(seq, field, "differs from the evidence log"));
        }
    }
}
