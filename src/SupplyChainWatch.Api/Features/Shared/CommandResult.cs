using SupplyChainWatch.Api.Hosting;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>What a handler decided; endpoints turn it into an HTTP answer.</summary>
public abstract record CommandResult<T> : IMessageOutcome
{
    /// <summary>The outcome's name in telemetry (the message telemetry's outcome tag).</summary>
    public string Outcome => this switch
    {
        Ok => "ok",
        Invalid => "invalid",
        NotFound => "not-found",
        Conflict or StateConflict => "conflict",
        Refused => "refused",
        _ => "other",
    };

    public sealed record Ok(T Value, bool Created) : CommandResult<T>;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : CommandResult<T>;

    public sealed record NotFound(string Detail) : CommandResult<T>;

    public sealed record Conflict(string Detail) : CommandResult<T>;

    /// <summary>What exists does not admit the change now (a status move its lifecycle forbids): the detail says why.</summary>
    public sealed record StateConflict(string Detail) : CommandResult<T>;

    /// <summary>The caller may use the endpoint but not for this: the detail says why (e.g. consent is missing).</summary>
    public sealed record Refused(string Detail) : CommandResult<T>;

    public static CommandResult<T> From(Validation validation) => new Invalid(validation.Errors);
}
