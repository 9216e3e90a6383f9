using System.Net.Http.Headers;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Signals;

public static class SignalEndpoints
{
    public const string NdjsonMediaType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapSignalEndpoints(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        // Years of history arrive in one upload: this endpoint alone lifts Kestrel's body limit (the others keep 1 MiB).
        // The body is streamed, so the limit bounds the upload, not memory.
        var maxBodyBytes = configuration.GetValue("Api:ImportMaxRequestBodyBytes", 8L * 1024 * 1024 * 1024);

        app.MapPost("/api/v1/signals:import", async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> (HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
                    || !string.Equals(mediaType.MediaType, NdjsonMediaType, StringComparison.OrdinalIgnoreCase))
                {
                    return TypedResults.Problem($"Send the signals as {NdjsonMediaType}: one JSON object per line.",
                        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.");
                }

                return TypedResults.Ok(await mediator.Send(new ImportSignals(request.BodyReader), ct));
            })
            .WithTags("Signals")
            .WithName("ImportSignals")
            // One file mixes audits, grievances and fee reports, so only the role that may submit all of them imports.
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithMetadata(new RequestSizeLimitAttribute(maxBodyBytes))
            .Accepts<string>(NdjsonMediaType)
            .WithSummary("Import many signals (NDJSON)")
            .WithDescription("One signal a line: an audit, grievance or recruitment-fee report body as the single endpoints take it, plus "
                + "\"kind\": \"audit\" | \"grievance\" | \"recruitment-fee\". Lines are validated one by one and stored in batches; an invalid or "
                + "conflicting line is reported (line number, id, field errors) and never blocks the others. Idempotent: the same file again "
                + "changes nothing and counts every line as a duplicate. Answered when every accepted line is in the evidence log.");

        return app;
    }
}
