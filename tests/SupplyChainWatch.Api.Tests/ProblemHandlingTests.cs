using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Tests;

/// <summary>How failures that are not the caller's fault are answered.</summary>
public sealed class ProblemHandlingTests
{
    public static TheoryData<Exception, int> Failures => new()
    {
        { new Orleans.Runtime.SiloUnavailableException(), StatusCodes.Status503ServiceUnavailable },
        { new TimeoutException(), StatusCodes.Status503ServiceUnavailable },
        { new InvalidOperationException("a bug"), StatusCodes.Status500InternalServerError },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_lost_silo_is_a_503_to_retry_and_anything_else_a_500_that_reveals_nothing(Exception exception, int expected)
    {
        using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var handler = new ProblemExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ProblemExceptionHandler>.Instance);
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/audits";
        context.Response.Body = new MemoryStream();

        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));

        Assert.Equal(expected, context.Response.StatusCode);
        Assert.Equal(expected == 503 ? "1" : null, context.Response.Headers.RetryAfter.FirstOrDefault());
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains($"\"status\":{expected}", body, StringComparison.Ordinal);
        Assert.DoesNotContain(exception.Message, body, StringComparison.Ordinal);
    }
}
