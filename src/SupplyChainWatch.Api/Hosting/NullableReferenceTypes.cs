using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// A nullable property of a record or enum type is written as <c>allOf: [$ref]</c> with <c>nullable: true</c>. OpenAPI
/// 3.0 ignores "nullable" without a "type" beside it, so validators (Spectral) reject every example that holds such a
/// property: this gives the wrapper the type of the schema it refers to.
/// </summary>
public sealed class NullableReferenceTypes : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var components = swaggerDoc.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var schema in components.Values)
        {
            Visit(schema, components, depth: 0);
        }
    }

    private static void Visit(IOpenApiSchema schema, IDictionary<string, IOpenApiSchema> components, int depth)
    {
        if (schema is not OpenApiSchema concrete || depth > 16)
        {
            return;
        }

        // "nullable" is held as the Null flag of the type, so a wrapper whose only type is Null has none of its own.
        var own = concrete.Type ?? default;
        if ((own & ~JsonSchemaType.Null) == default && concrete.AllOf is [OpenApiSchemaReference { Reference.Id: { } id }]
            && components.TryGetValue(id, out var target) && target.Type is { } type)
        {
            concrete.Type = type | own;
        }

        foreach (var property in concrete.Properties?.Values ?? [])
        {
            Visit(property, components, depth + 1);
        }

        if (concrete.Items is not null)
        {
            Visit(concrete.Items, components, depth + 1);
        }

        if (concrete.AdditionalProperties is not null)
        {
            Visit(concrete.AdditionalProperties, components, depth + 1);
        }
    }
}
