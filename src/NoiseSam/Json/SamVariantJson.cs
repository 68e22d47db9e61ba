using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NoiseSam.Rules;

namespace NoiseSam.Json;

/// <summary>
/// The JSON form of <see cref="SamVariantDescriptor"/>: variants as data (a config file, a
/// hyper-parameter search, <c>noisesam --variants-file</c>). One variant is an object whose members
/// are the record's, camelCase, enums by name, a member left out meaning "not given":
/// <code>
/// { "name": "NI-MBS-s1", "rho": 0.05,
///   "microBatch": { "fraction": 0.25, "selection": "Random" },
///   "noise": { "distribution": "Gaussian", "sigma": 1, "scaling": "GradientNorm" },
///   "baseOptimizer": { "kind": "Sgd", "learningRate": 0.05, "momentum": 0.9, "weightDecay": 0.0005 } }
/// </code>
/// A file holds one such object or an array of them. <see cref="Read(string)"/> reports every
/// problem with its JSON path: a member that does not fit the record, and every rule that
/// <see cref="SamVariantDescriptor.Validate"/> breaks (the analyzers' NSAM ids and messages).
/// </summary>
public static class SamVariantJson
{
    private static JsonTypeInfo<SamVariantDescriptor> One => SamVariantJsonContext.Default.SamVariantDescriptor;
    private static JsonTypeInfo<SamVariantDescriptor[]> Many => SamVariantJsonContext.Default.SamVariantDescriptorArray;

    /// <summary>The serializer options of the JSON form (source-generated metadata; read only).</summary>
    public static JsonSerializerOptions Options => SamVariantJsonContext.Default.Options;

    /// <summary>One variant as an indented JSON object.</summary>
    public static string Serialize(SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return JsonSerializer.Serialize(descriptor, One);
    }

    /// <summary>Several variants as an indented JSON array (the <c>--variants-file</c> form).</summary>
    public static string Serialize(IEnumerable<SamVariantDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        return JsonSerializer.Serialize(descriptors.ToArray(), Many);
    }

    /// <summary>One variant from a JSON object, without checking the declaration rules.</summary>
    /// <exception cref="JsonException">The text is not a JSON object of the record's shape.</exception>
    public static SamVariantDescriptor Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, One) ?? throw new JsonException("expected a JSON object for a SAM variant, found null");
    }

    /// <summary>Reads a file of variants (see <see cref="Read(string)"/>).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SamVariantJsonResult ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Read(File.ReadAllText(path));
    }

    /// <summary>
    /// Reads one variant object or an array of them, and checks each: every problem is reported,
    /// one per member that does not fit and one per broken declaration rule (errors and warnings),
    /// each with its JSON path; a name used twice is NSAM012.
    /// </summary>
    public static SamVariantJsonResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return new SamVariantJsonResult([], [], [new SamVariantJsonProblem("$", null, true, $"not valid JSON{where}: {Plain(e)}")]);
        }
        using (document)
            return Read(document.RootElement, "$");
    }

    /// <summary>Reads the variants of <paramref name="element"/> (an object or an array of objects) found at <paramref name="path"/> of a larger document.</summary>
    public static SamVariantJsonResult Read(JsonElement element, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var variants = new List<SamVariantDescriptor>();
        var problems = new List<SamVariantJsonProblem>();
        var paths = new List<string>();
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                    ReadOne(item, $"{path}[{i++}]", variants, paths, problems);
                if (i == 0) problems.Add(new SamVariantJsonProblem(path, null, true, "the array holds no variant"));
                break;
            case JsonValueKind.Object:
                ReadOne(element, path, variants, paths, problems);
                break;
            default:
                problems.Add(new SamVariantJsonProblem(path, null, true,
                    $"expected a variant object or an array of them, found {element.ValueKind.ToString().ToLowerInvariant()}"));
                break;
        }
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int k = 0; k < variants.Count; k++)
        {
            string name = variants[k].Name;
            if (string.IsNullOrWhiteSpace(name)) continue;
            if (seen.TryGetValue(name, out string? first))
                problems.Add(new SamVariantJsonProblem($"{paths[k]}.name", SamDiagnosticIds.DuplicateVariantName, true,
                    $"the variant name '{name}' is also used by {first}; variant names must be unique"));
            else seen.Add(name, paths[k]);
        }
        return new SamVariantJsonResult(variants, paths, problems);
    }

    /// <summary>The JSON path of the member a rule violation is about, under the variant at <paramref name="variantPath"/>.</summary>
    public static string PathOf(SamRuleViolation violation, string variantPath)
    {
        ArgumentNullException.ThrowIfNull(violation);
        // Attributes are the record's members (MicroBatch → microBatch); [SamVariant]'s arguments are the record's own.
        string path = violation.Attribute == "SamVariant" ? variantPath : $"{variantPath}.{Camel(violation.Attribute)}";
        return violation.Argument is null ? path : $"{path}.{Camel(violation.Argument)}";
    }

    private static void ReadOne(JsonElement item, string path, List<SamVariantDescriptor> variants, List<string> paths, List<SamVariantJsonProblem> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new SamVariantJsonProblem(path, null, true, $"expected a variant object, found {item.ValueKind.ToString().ToLowerInvariant()}"));
            return;
        }
        SamVariantDescriptor? descriptor;
        try
        {
            descriptor = item.Deserialize(One);
        }
        catch (JsonException e)
        {
            problems.Add(new SamVariantJsonProblem(Join(path, e.Path), null, true, Explain(e, item)));
            return;
        }
        if (descriptor is null) return;
        variants.Add(descriptor);
        paths.Add(path);
        foreach (var v in descriptor.Validate())
            problems.Add(new SamVariantJsonProblem(PathOf(v, path), v.Id, v.IsError, v.Message));
    }

    /// <summary>An exception path ("$.noise.sigma") relative to the element, joined to the element's own path.</summary>
    private static string Join(string path, string? relative) =>
        string.IsNullOrEmpty(relative) || relative == "$" ? path : path + relative[1..];

    /// <summary>
    /// The serializer's message, except for a value of the wrong kind, where it names the record's
    /// type instead of the member's: then what was found and what the member takes (the enum's names).
    /// </summary>
    private static string Explain(JsonException e, JsonElement variant)
    {
        if (!e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) || e.Path is not { } path || !path.StartsWith("$.", StringComparison.Ordinal))
            return Plain(e);
        // Follow the path through the source-generated metadata (no reflection) and the element.
        JsonTypeInfo info = One;
        JsonElement value = variant;
        Type? member = null;
        foreach (string segment in path[2..].Split('.'))
        {
            var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
            if (property is null || value.ValueKind != JsonValueKind.Object) return Plain(e);
            var found = value.EnumerateObject().Where(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).LastOrDefault();
            if (found.ValueKind == JsonValueKind.Undefined) return Plain(e);
            value = found;
            member = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            info = Options.GetTypeInfo(member);
        }
        if (member is null) return Plain(e);
        string expected = member switch
        {
            _ when member == typeof(double) || member == typeof(float) => "a number",
            _ when member == typeof(int) || member == typeof(long) => "an integer",
            _ when member == typeof(bool) => "true or false",
            _ when member == typeof(string) => "a string",
            _ when member.IsEnum => $"one of {string.Join(", ", Enum.GetNames(member))}",
            _ => "an object",
        };
        return $"{value.GetRawText()} is not valid here: expected {expected}";
    }

    /// <summary>The serializer's message without its " Path: … | LineNumber: …" tail (the path is reported separately).</summary>
    private static string Plain(JsonException e)
    {
        string message = e.Message;
        int tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (tail < 0) tail = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        message = (tail >= 0 ? message[..tail] : message).Trim();
        // The record's namespace means nothing in a JSON file.
        return message.Replace("NoiseSam.", "", StringComparison.Ordinal);
    }

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}

/// <summary>One problem of a variants file: where (a JSON path such as <c>$[1].microBatch.fraction</c>), which rule, and why.</summary>
/// <param name="Path">JSON path of the member at fault (the variant's own path when the whole variant is).</param>
/// <param name="Id">The NSAM id of a broken declaration rule; null when the JSON does not fit the record's shape.</param>
/// <param name="IsError">False for a warning (the variant still runs).</param>
/// <param name="Message">What is wrong and how to fix it (a rule's message is the analyzers').</param>
public sealed record SamVariantJsonProblem(string Path, string? Id, bool IsError, string Message)
{
    public override string ToString() => Id is null ? $"{Path}: {Message}" : $"{Path}: {Id} ({(IsError ? "error" : "warning")}): {Message}";
}

/// <summary>What <see cref="SamVariantJson.Read(string)"/> found: the variants that could be read, and every problem.</summary>
/// <param name="Variants">Every variant object that fits the record, in file order (with or without rule problems).</param>
/// <param name="Paths">The JSON path of each of <paramref name="Variants"/> (<c>$</c> for a file of one object, <c>$[i]</c> in an array).</param>
/// <param name="Problems">Every problem, errors and warnings, in file order.</param>
public sealed record SamVariantJsonResult(IReadOnlyList<SamVariantDescriptor> Variants, IReadOnlyList<string> Paths, IReadOnlyList<SamVariantJsonProblem> Problems)
{
    /// <summary>True when any problem is an error: then nothing of the file should run.</summary>
    public bool HasErrors => Problems.Any(p => p.IsError);
}
