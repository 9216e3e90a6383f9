using System.Text.Json.Nodes;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class RiskModelLoaderTests
{
    private static string Modified(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(ShippedConfig.Read("risk-model.json"))!.AsObject();
        change(root);
        return root.ToJsonString();
    }

    private static RiskModelConfigurationException LoadFails(string json) =>
        Assert.Throws<RiskModelConfigurationException>(() => RiskModelLoader.Load(json));

    [Fact]
    public void Shipped_file_loads_with_the_specification_defaults()
    {
        var model = ShippedConfig.Model;
        Assert.False(string.IsNullOrWhiteSpace(model.ModelVersion));
        Assert.Equal(24, model.ReferencePeriodMonths);
        Assert.Equal(0.20, model.Inherent.Weight);
        Assert.Equal(30, model.Evidence.Base.StrongIndicator);
        Assert.Equal(12, model.Evidence.Base.MediumIndicator);
        Assert.Equal(20, model.Evidence.Base.Severity.Critical);
        Assert.Equal(0.4, model.Evidence.Confidence.Alleged);
        Assert.Equal(365, model.Decay.HalfLifeDays.Open);
        Assert.Equal(90, model.Decay.HalfLifeDays.VerifiedRemediated);
        Assert.Equal(180, model.Decay.HalfLifeDays.GrievanceClosedUnverified);
        Assert.Equal(80, model.ZeroTolerance.Floor);
        Assert.Equal(24, model.ZeroTolerance.CaseEscalationDueHours);
        Assert.Equal(7, model.Grievances.AcknowledgementDays);
        Assert.Equal((25, 50, 80), (model.Bands.Medium, model.Bands.High, model.Bands.Critical));
    }

    [Fact]
    public void Out_of_range_confidence_is_named()
    {
        var error = LoadFails(Modified(r => r["evidence"]!["confidence"]!["alleged"] = 1.4));
        Assert.Contains("evidence.confidence.alleged must be between 0 and 1", error.Errors);
        Assert.Contains("evidence.confidence.alleged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_half_life_is_named()
    {
        var error = LoadFails(Modified(r => r["decay"]!["halfLifeDays"]!.AsObject().Remove("open")));
        Assert.Contains("decay.halfLifeDays.open is missing", error.Errors);
    }

    [Fact]
    public void Missing_model_version_is_named()
    {
        var error = LoadFails(Modified(r => r.Remove("modelVersion")));
        Assert.Contains("modelVersion is missing", error.Errors);
    }

    [Fact]
    public void Every_bad_key_is_reported_at_once()
    {
        var error = LoadFails(Modified(r =>
        {
            r["evidence"]!["base"]!["strongIndicator"] = "thirty";
            r["propagation"]!.AsObject().Remove("max");
            r["bands"]!["high"] = 10;
        }));
        Assert.Contains("evidence.base.strongIndicator must be a number", error.Errors);
        Assert.Contains("propagation.max is missing", error.Errors);
        Assert.Contains("bands must increase: bands.medium < bands.high < bands.critical", error.Errors);
    }

    [Fact]
    public void Unknown_key_is_named_so_typos_are_not_silently_ignored()
    {
        var error = LoadFails(Modified(r => r["management"]!["maximum"] = 10));
        Assert.Contains("management.maximum is not a known key", error.Errors);
    }

    [Fact]
    public void Missing_section_is_named_once()
    {
        var error = LoadFails(Modified(r => r.Remove("fees")));
        Assert.Equal(["fees is missing"], error.Errors);
    }

    [Fact]
    public void Whole_number_key_rejects_fractions()
    {
        var error = LoadFails(Modified(r => r["referencePeriodMonths"] = 24.5));
        Assert.Contains("referencePeriodMonths must be a whole number", error.Errors);
    }

    [Fact]
    public void Invalid_json_is_a_configuration_error()
    {
        Assert.Throws<RiskModelConfigurationException>(() => RiskModelLoader.Load("{ not json"));
    }

    [Fact]
    public void Changed_parameter_changes_the_score()
    {
        var model = RiskModelLoader.Load(Modified(r => r["inherent"]!["weight"] = 0.0));
        var engine = new RiskEngine(model, ShippedConfig.Tables);
        var evaluation = engine.EvaluateSupplier("sup:x", Make.Supplier(), Make.At);
        Assert.Equal(0, evaluation.Score);
    }
}
