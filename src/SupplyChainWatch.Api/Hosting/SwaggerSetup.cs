using Microsoft.OpenApi;

namespace SupplyChainWatch.Api.Hosting;

public static class SwaggerSetup
{
    public static IServiceCollection AddSupplyChainWatchSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "SupplyChainWatch API",
                Version = ApiVersions.Current,
                Description = "Audits, grievances and recruitment-fee reports in; live, explainable forced-labour risk of supplier sites and labour recruiters out. "
                    + ApiVersions.DocumentDescription,
                Contact = new OpenApiContact { Name = "SupplyChainWatch maintainers", Url = new Uri("https://supplychainwatch.example/support") },
            });
            // Where `dotnet run` serves it; a generated client takes its deployment's base URL instead.
            options.AddServer(new OpenApiServer { Url = "http://localhost:5080", Description = "A local `dotnet run` of the service" });
            // The Authorize button: paste a token (from `dotnet user-jwts create --role …` or the identity provider).
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT whose role claims name the caller's roles: compliance, auditor, grievance-handler, recruitment-monitor, ngo, case-officer, admin.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            // The API's own comments and those of the domain records it returns (risk explanations).
            foreach (var xml in Directory.EnumerateFiles(AppContext.BaseDirectory, "SupplyChainWatch.*.xml"))
            {
                options.IncludeXmlComments(xml);
            }

            options.SchemaFilter<SwaggerExamples>();
            options.OperationFilter<ProblemResponses>();
            // A nullable enum or record property is "nullable" beside its $ref (allOf), so generated clients accept null.
            options.UseAllOfToExtendReferenceSchemas();
            options.DocumentFilter<NullableReferenceTypes>();
        });
        return services;
    }

    public static WebApplication UseSupplyChainWatchSwagger(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options => options.SwaggerEndpoint("/swagger/v1/swagger.json", "SupplyChainWatch API v1"));
        return app;
    }
}
