using Microsoft.AspNetCore.Http.HttpResults;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>Maps handler results to RFC 9457 answers, the same way for every endpoint.</summary>
public static class HttpResults
{
    /// <summary>For commands that can create what they name: 201 with its location when they did, 200 otherwise.</summary>
    public static Results<Ok<T>, Created<T>, ValidationProblem, ProblemHttpResult> ToHttp<T>(this CommandResult<T> result, Func<T, string> location) =>
        result switch
        {
            CommandResult<T>.Ok { Created: true } ok => TypedResults.Created(location(ok.Value), ok.Value),
            CommandResult<T>.Ok ok => TypedResults.Ok(ok.Value),
            CommandResult<T>.Invalid invalid => Invalid(invalid.Errors),
            _ => Problem(result),
        };

    /// <summary>
    /// For reads and for commands that change something that exists: never 201, so the OpenAPI document does not
    /// promise one (the result type is what it is generated from).
    /// </summary>
    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> ToHttp<T>(this CommandResult<T> result) =>
        result switch
        {
            CommandResult<T>.Ok ok => TypedResults.Ok(ok.Value),
            CommandResult<T>.Invalid invalid => Invalid(invalid.Errors),
            _ => Problem(result),
        };

    /// <summary>As <see cref="ToHttp{T}(CommandResult{T})"/> for reads without a Created case, answering 200 through <see cref="SharedJson{T}"/>.</summary>
    public static Results<SharedJson<T>, ValidationProblem, ProblemHttpResult> ToSharedJsonHttp<T>(this CommandResult<T> result)
        where T : class =>
        result switch
        {
            CommandResult<T>.Ok ok => new SharedJson<T>(ok.Value),
            CommandResult<T>.Invalid invalid => Invalid(invalid.Errors),
            _ => Problem(result),
        };

    /// <summary>400 naming each invalid field.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid.", type: "https://supplychainwatch.example/problems/validation");

    private static ProblemHttpResult Problem<T>(CommandResult<T> result) =>
        result switch
        {
            CommandResult<T>.NotFound notFound => TypedResults.Problem(notFound.Detail, statusCode: StatusCodes.Status404NotFound, title: "Not found."),
            CommandResult<T>.Conflict conflict => TypedResults.Problem(conflict.Detail, statusCode: StatusCodes.Status409Conflict, title: "Conflicting duplicate."),
            CommandResult<T>.StateConflict state => TypedResults.Problem(state.Detail, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the current state."),
            CommandResult<T>.Refused refused => TypedResults.Problem(refused.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Refused."),
            _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}"),
        };
}
