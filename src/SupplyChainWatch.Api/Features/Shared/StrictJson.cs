using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupplyChainWatch.Api.Features.Shared;

/// <summary>
/// JSON read as plain nodes (the referral package to verify, the import's first look at a line) is held to what typed
/// bodies get from the serializer options: every string and property name is real Unicode text (no lone surrogate, no
/// invalid UTF-8) and no object names a property twice, in any spelling of its case. Problems name the field.
/// </summary>
public static class StrictJson
{
    public const string NotText = "must be valid Unicode text (no lone surrogates or invalid UTF-8)";
    public const string Repeated = "appears more than once (property names are unique and case-sensitive)";

    /// <summary>The reader's string, or null with an error on <paramref name="field"/> when it is not text.</summary>
    public static string? TryGetString(ref Utf8JsonReader reader, string field, Validation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            validation.Add(field, NotText);
            return null;
        }
    }

    /// <summary>Checks a whole tree, adding an error per field that is not text or is repeated.</summary>
    public static void Check(JsonNode? node, Validation validation) => Check(node, "", validation);

    private static void Check(JsonNode? node, string path, Validation validation)
    {
        switch (node)
        {
            case JsonObject obj:
                List<KeyValuePair<string, JsonNode?>> properties;
                try
                {
                    properties = [.. obj];
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    // A property name that is not text (or, with duplicates allowed, a repeated one) fails the whole object.
                    validation.Add(path.Length == 0 ? "body" : path, ex is ArgumentException ? "has a property name that " + Repeated : "has a property name that " + NotText);
                    return;
                }

                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (name, child) in properties)
                {
                    var field = path.Length == 0 ? name : $"{path}.{name}";
                    if (!seen.Add(name))
                    {
                        validation.Add(field, Repeated);
                    }

                    Check(child, field, validation);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], $"{path}[{i}]", validation);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                try
                {
                    _ = value.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    validation.Add(path.Length == 0 ? "body" : path, NotText);
                }

                break;
        }
    }
}
