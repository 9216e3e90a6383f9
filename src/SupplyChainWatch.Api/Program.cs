using Microsoft.AspNetCore.Http.Json;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Escalations;
using SupplyChainWatch.Api.Features.Grievances;
using SupplyChainWatch.Api.Features.Health;
using SupplyChainWatch.Api.Features.Recruiters;
using SupplyChainWatch.Api.Features.RecruitmentFees;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Features.Suppliers;
using SupplyChainWatch.Api.Features.Webhooks;
using SupplyChainWatch.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRiskModel(builder.Configuration);
builder.AddSupplyChainWatchSilo();
builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Singleton);
builder.Services.AddSingleton<EvidenceSubmitter>();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.Configure<JsonOptions>(JsonSetup.Configure);
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxRequestBodyBytes", 1_048_576));
builder.Services.AddSupplyChainWatchSwagger();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSupplyChainWatchSwagger();

app.MapHealthEndpoints();
app.MapSupplierEndpoints();
app.MapRecruiterEndpoints();
app.MapAuditEndpoints();
app.MapGrievanceEndpoints();
app.MapRecruitmentFeeEndpoints();
app.MapEscalationEndpoints();
app.MapWebhookEndpoints();

await app.RunAsync();

/// <summary>Entry point; public so integration tests can host it.</summary>
public partial class Program;
