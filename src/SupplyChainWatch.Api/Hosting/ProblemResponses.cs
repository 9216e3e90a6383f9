using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Features.Webhooks;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains.Intake;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Documents every problem answer an operation can give, derived from the endpoint's metadata so that a new endpoint
/// is documented the way it behaves without anyone writing its error answers by hand: a token is required (401) unless
/// the endpoint allows anonymous callers, roles can refuse (403), parameters and bodies can be invalid (400), bodies can
/// be too large (413) or not JSON (415), route parameters can name nothing (404), answers keyed for idempotency can
/// conflict (409), every request not exempted from rate limiting (the health probes) can be throttled (429), and everything under /api reaches the cluster, which answers
/// 503 while it recovers from a lost silo. Reads no longer advertise the 201 of the shared result type.
/// </summary>
public sealed class ProblemResponses : IOperationFilter
{
    public const string ProblemMediaType = "application/problem+json";

    /// <summary>Answers of operations whose key can already hold other content (evidence ids, a pending replay).</summary>
    private static readonly Type[] ConflictingAnswers = [typeof(SubmissionReceipt), typeof(ReplayView)];

    private static readonly (int Status, string Title, string Detail)[] Problems =
    [
        (StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required."),
        (StatusCodes.Status403Forbidden, "Forbidden", "The token's roles do not admit this call."),
        (StatusCodes.Status404NotFound, "Not found.", "Nothing has been recorded about 'sunrise-2'."),
        (StatusCodes.Status409Conflict, "Conflicting duplicate.", "auditId + findingId 'SMETA-2026-0042/F-07' is already recorded with other content."),
        (StatusCodes.Status413PayloadTooLarge, "The request body is too large.", "The body exceeds the service's request body limit."),
        (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", "Send the body as application/json."),
        (StatusCodes.Status429TooManyRequests, "Too many requests.", "This client has used up its requests for the current window; retry after the number of seconds in Retry-After."),
        (StatusCodes.Status503ServiceUnavailable, "The service is recovering from a cluster change; retry the same request.", "Nothing was acknowledged; resubmit the same request after Retry-After."),
    ];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var description = context.ApiDescription;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        if (description.HttpMethod == HttpMethods.Get)
        {
            operation.Responses.Remove("201");
        }

        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var roles = metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<RolesAuthorizationRequirement>().Any()
            || metadata.OfType<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Roles));
        var parameters = description.ParameterDescriptions;
        var hasBody = parameters.Any(p => p.Source == BindingSource.Body) || description.SupportedRequestFormats.Count > 0 || operation.RequestBody is not null;
        var hasRouteParameters = parameters.Any(p => p.Source == BindingSource.Path);
        var conflicts = description.SupportedResponseTypes.Any(r => r.StatusCode is >= 200 and < 300 && r.Type is not null && ConflictingAnswers.Contains(r.Type));
        var api = (description.RelativePath ?? string.Empty).StartsWith("api/", StringComparison.Ordinal);

        if (hasBody || parameters.Any(p => p.Source == BindingSource.Query || p.Source == BindingSource.Path))
        {
            Add(operation, context, StatusCodes.Status400BadRequest, "The request is invalid: errors names each field and what is wrong with it.", typeof(HttpValidationProblemDetails),
                new JsonObject
                {
                    ["type"] = "https://supplychainwatch.example/problems/validation",
                    ["title"] = "The request is invalid.",
                    ["status"] = 400,
                    ["errors"] = new JsonObject { ["country"] = new JsonArray("'Malaysia' is not an ISO 3166-1 alpha-2 code.") },
                });
        }

        var applies = new Dictionary<int, bool>
        {
            [StatusCodes.Status401Unauthorized] = !anonymous,
            [StatusCodes.Status403Forbidden] = !anonymous && roles,
            [StatusCodes.Status404NotFound] = hasRouteParameters,
            [StatusCodes.Status409Conflict] = conflicts,
            [StatusCodes.Status413PayloadTooLarge] = hasBody,
            [StatusCodes.Status415UnsupportedMediaType] = hasBody,
            [StatusCodes.Status429TooManyRequests] = !metadata.OfType<DisableRateLimitingAttribute>().Any(),
            [StatusCodes.Status503ServiceUnavailable] = api,
        };
        foreach (var (status, title, detail) in Problems.Where(p => applies[p.Status]))
        {
            var response = Add(operation, context, status, title, typeof(ProblemDetails), new JsonObject { ["title"] = title, ["status"] = status, ["detail"] = detail });
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                };
            }
        }
    }

    /// <summary>Adds (or completes) the problem answer: an existing one keeps its description and schema and gets an example.</summary>
    private static OpenApiResponse Add(OpenApiOperation operation, OperationFilterContext context, int status, string description, Type schemaType, JsonObject example)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse known)
        {
            known.Content ??= new Dictionary<string, IOpenApiMediaType>();
            known.Content.Remove("application/json");
            if (!known.Content.TryGetValue(ProblemMediaType, out var media) || media is not OpenApiMediaType concrete)
            {
                known.Content[ProblemMediaType] = concrete = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(schemaType, context.SchemaRepository) };
            }

            concrete.Example ??= example;
            return known;
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                [ProblemMediaType] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(schemaType, context.SchemaRepository), Example = example },
            },
        };
        operation.Responses[key] = response;
        return response;
    }
}
