using Mediator;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Diagnostics;
using SupplyChainWatch.Api.Dashboard;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Traces, metrics and logs through OpenTelemetry: one trace runs from the HTTP request through the mediator message,
/// the grain calls (Orleans' activity propagation, <see cref="OrleansSetup"/>) to the evidence-log append and the
/// PostgreSQL commands. Exported by OTLP only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
/// exporter reads the other <c>OTEL_*</c> variables itself); metrics are also scraped at <see cref="MetricsPath"/>.
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "supplychainwatch";

    /// <summary>The Prometheus scrape endpoint, for the admin role only.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Orleans' dashboard (page and data endpoints), for the admin role only.</summary>
    public const string OrleansDashboardPath = "/admin/orleans";

    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddSupplyChainWatchTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Every mediator message gets its span, duration and log line here, so handlers carry none of it.
        builder.Services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(MessageTelemetry<,>));
        builder.Services.AddSingleton<HostGauges>();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                // Exceptions are not recorded on spans: their messages may quote what a client sent.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(ApiTelemetry.ActivitySourceName, IntakeTelemetry.ActivitySourceName)
                .AddSource(ActivitySources.RuntimeActivitySourceName, ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.StorageActivitySourceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(ApiTelemetry.MeterName, GrainMetrics.MeterName, StorageMetrics.MeterName, "Microsoft.Orleans")
                .AddPrometheusExporter())
            .WithLogging(logging => { }, options =>
            {
                // Log scopes and formatted text may carry request data; the template and its named values are enough.
                options.IncludeScopes = false;
                options.IncludeFormattedMessage = false;
            });

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint behind the admin role.</summary>
    public static IEndpointRouteBuilder MapSupplyChainWatchTelemetry(this IEndpointRouteBuilder app)
    {
        // The gauges exist from the start (a gauge made on first use would be missing from every collection before).
        app.ServiceProvider.GetRequiredService<HostGauges>();

        // GET only (the exporter maps every method); not part of the OpenAPI document, like any operator endpoint.
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin));

        // The dashboard's page, scripts and data endpoints, in every mode (the silo is co-hosted in each). Operator
        // endpoints, not part of the JSON API's OpenAPI document. The admin role by bearer token (scripts) or by the
        // browser dashboard's sign-in cookie (an operator's browser sends no bearer token by itself; AuthorizationProblems
        // sends it to the sign-in). Every endpoint of it is a GET, so admitting the cookie opens no cross-site write (it
        // is SameSite=Lax besides).
        var dashboard = app.MapOrleansDashboard(routePrefix: OrleansDashboardPath)
            .RequireAuthorization(policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, DashboardSetup.CookieScheme)
                .RequireRole(Roles.Admin))
            .ExcludeFromDescription();
        // Its grain-state view would show any grain's in-memory state to admins, evidence rows included; the admin role
        // reads risk and lists, never raw evidence, so that one endpoint answers 404.
        ((IEndpointConventionBuilder)dashboard).Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText?.EndsWith("/GrainState", StringComparison.OrdinalIgnoreCase) == true)
            {
                route.RequestDelegate = context => TypedResults.Problem(
                    "The dashboard's grain-state view is disabled: grain state holds evidence rows, which the admin role does not read.",
                    statusCode: StatusCodes.Status404NotFound, title: "Not found.").ExecuteAsync(context);
            }
        });
        return app;
    }
}
