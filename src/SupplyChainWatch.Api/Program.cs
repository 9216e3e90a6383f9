using Microsoft.AspNetCore.Http.Json;
using SupplyChainWatch.Api.Dashboard;
using SupplyChainWatch.Api.Features.Admin;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Escalations;
using SupplyChainWatch.Api.Features.Grievances;
using SupplyChainWatch.Api.Features.Health;
using SupplyChainWatch.Api.Features.Recruiters;
using SupplyChainWatch.Api.Features.RecruitmentFees;
using SupplyChainWatch.Api.Features.Referrals;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Features.Signals;
using SupplyChainWatch.Api.Features.Suppliers;
using SupplyChainWatch.Api.Features.Webhooks;
using SupplyChainWatch.Api.Hosting;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains.Intake;

// `migrate` applies the schema and exits; it never starts the web host or the silo.
if (SchemaCommand.IsMigrate(args))
{
    return await SchemaCommand.MigrateAsync(args);
}

DevelopmentTokens.PrepareUserSecrets();

// The content root is the folder of the binaries, where the build copies appsettings*.json: `dotnet run` keeps the
// working directory where the user ran it (so ./data lands there), and the settings files load from wherever that is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddRiskModel(builder.Configuration);
builder.AddSupplyChainWatchSilo();
builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Singleton);
builder.Services.AddSingleton<EvidenceSubmitter>();
builder.Services.AddSingleton<ISignalIntake, SignalIntake>();
builder.Services.AddSingleton<RescoreJobs>();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddSupplyChainWatchReadiness(builder.Configuration);
builder.Services.Configure<JsonOptions>(JsonSetup.Configure);
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.Customize);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue(RequestBodyLimitMiddleware.MaxBodyKey, RequestBodyLimitMiddleware.DefaultMaxBodyBytes);
    RequestHeadLimitsMiddleware.ConfigureKestrel(kestrel.Limits);
});
builder.Services.AddSupplyChainWatchSwagger();
builder.AddSupplyChainWatchSecurity();
builder.AddSupplyChainWatchTelemetry();
builder.AddSupplyChainWatchDashboard();

var app = builder.Build();

app.UseMiddleware<RequestHeadLimitsMiddleware>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<SecurityHeadersMiddleware>();
// Swagger (document and UI shell) is served before authentication: anonymous by design, like /health/*.
app.UseSupplyChainWatchSwagger();
app.UseRouting();
app.UseApiVersionCheck();
app.UseSupplyChainWatchSecurity();
// Validates the antiforgery token of form posts (the dashboard's sign-in and sign-out); the JSON API takes no forms.
app.UseAntiforgery();

app.MapHealthEndpoints();
app.MapSupplyChainWatchTelemetry();
app.MapSupplierEndpoints();
app.MapRecruiterEndpoints();
app.MapAuditEndpoints();
app.MapGrievanceEndpoints();
app.MapRecruitmentFeeEndpoints();
app.MapSignalEndpoints(app.Configuration);
app.MapEscalationEndpoints();
app.MapAdminEndpoints();
app.MapWebhookEndpoints();
app.MapReferralEndpoints();
SupplyChainWatch.Api.Features.Events.EventEndpoints.MapLiveEndpoints(app);
app.MapSupplyChainWatchDashboard();

return await SchemaCommand.RunServiceAsync(app);

/// <summary>Entry point; public so integration tests can host it.</summary>
public partial class Program;
