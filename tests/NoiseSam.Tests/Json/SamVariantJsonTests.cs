using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using NoiseSam.Dsl;
using NoiseSam.Json;

namespace NoiseSam.Tests.Json;

public sealed class SamVariantJsonTests
{
    /// <summary>
    /// Every settable member of the values record and of every spec it holds, found by reflection,
    /// set to a value other than its default: a member the JSON form forgot (or cannot carry) fails
    /// here by name, so a new attribute argument is covered the day it is added.
    /// </summary>
    [Fact]
    public void EveryMemberOfTheValuesRecordRoundTripsThroughJson()
    {
        int counter = 0;
        var filled = (SamVariantDescriptor)Fill(typeof(SamVariantDescriptor), ref counter);
        string json = SamVariantJson.Serialize(filled);
        var back = SamVariantJson.Deserialize(json);

        foreach (var (path, expected, actual) in Walk("descriptor", filled, back))
            Assert.True(Same(expected, actual), $"{path}: wrote {Show(expected)}, read back {Show(actual)}\n{json}");
        foreach (string name in SettableMembers(typeof(SamVariantDescriptor), recursive: true))
            Assert.Contains($"\"{JsonNamingPolicy.CamelCase.ConvertName(name)}\":", json, StringComparison.Ordinal);
        Assert.Equal(filled, back);
        Assert.Equal(json, SamVariantJson.Serialize(back));
    }

    [Fact]
    public void MembersNotGivenAreLeftOutAndComputedMembersAreNotWritten()
    {
        string json = SamVariantJson.Serialize(new SamVariantDescriptor("plain"));
        Assert.DoesNotContain("Effective", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"policy\"", json, StringComparison.Ordinal);
        Assert.Equal(new SamVariantDescriptor("plain"), SamVariantJson.Deserialize(json));
    }

    [Fact]
    public void AListOfVariantsIsAnArrayAndReadsBackInOrder()
    {
        SamVariantDescriptor[] variants =
        [
            new("a") { Rho = 0.1 },
            new("b") { Noise = new NoiseSpec(NoiseDistribution.Rademacher) { Sigma = 0.3 }, Schedule = new ScheduleSpec(SchedulePolicy.EveryK) { K = 3 } },
        ];
        var result = SamVariantJson.Read(SamVariantJson.Serialize(variants));
        Assert.Empty(result.Problems);
        Assert.Equal(variants, result.Variants);
    }

    [Fact]
    public void NamesAndEnumsAreReadCaseInsensitivelyAndCommentsAreAllowed()
    {
        var result = SamVariantJson.Read("""
            // a hand-written file
            { "Name": "x", "MicroBatch": { "Fraction": 0.5, "selection": "topLoss" }, }
            """);
        Assert.Empty(result.Problems);
        Assert.Equal(MicroBatchSelection.TopLoss, Assert.Single(result.Variants).MicroBatch!.Selection);
    }

    public static TheoryData<string, string, string?, string> Problems => new()
    {
        // rule violations: the analyzers' ids at the member's path
        { """[{ "name": "a", "microBatch": { "fraction": 1.5 } }]""", "$[0].microBatch.fraction", "NSAM004", "[MicroBatch(Fraction = 1.5)] must be in (0, 1]" },
        { """{ "name": "a", "rho": 0 }""", "$.rho", "NSAM003", "[SamVariant(Rho = 0)]" },
        { """{ "name": "a", "eta": 0.1 }""", "$.eta", "NSAM011", "only applies to Perturbation = PerturbationKind.Adaptive" },
        { """{ "name": "a", "schedule": { "policy": "Always", "k": 3 } }""", "$.schedule.k", "NSAM007", "K only applies to" },
        { """{ "name": "a", "schedule": { "policy": 42 } }""", "$.schedule", "NSAM014", "SchedulePolicy value 42 is not defined" },
        { """{ "name": "a", "baseOptimizer": { "kind": "Sgd", "learningRate": -1 } }""", "$.baseOptimizer.learningRate", "NSAM015", "must be a finite number > 0" },
        { """{ "name": " " }""", "$.name", "NSAM002", "needs a non-empty name" },
        { """{ "name": "a", "rho": "NaN" }""", "$.rho", "NSAM003", "must be a finite number > 0" },
        // shape problems: no id, the path of the member that does not fit
        { """{ "name": "a", "microBatch": { "fraktion": 0.5 } }""", "$.microBatch.fraktion", null, "'fraktion' could not be mapped" },
        { """{ "name": "a", "rho": "large" }""", "$.rho", null, "\"large\" is not valid here: expected a number" },
        { """{ "name": "a", "microBatch": { "selection": "Best" } }""", "$.microBatch.selection", null, "\"Best\" is not valid here: expected one of Head, Random, TopLoss" },
        { """{ "name": "a", "schedule": { "policy": "EveryK", "k": 2.5 } }""", "$.schedule.k", null, "2.5 is not valid here: expected an integer" },
        { """{ "name": "a", "noise": 0.5 }""", "$.noise", null, "0.5 is not valid here: expected an object" },
        { """{ "rho": 0.1 }""", "$", null, "'name'" },
        { """{ "name": "a", "noise": { "sigma": 0.5 } }""", "$.noise", null, "'distribution'" },
        { """{ "name": "a", "rho": 0.1, "rho": 0.2 }""", "$.rho", null, "Duplicate property 'rho'" },
        { """[{ "name": "a" }, { "name": "A" }]""", "$[1].name", "NSAM012", "also used by $[0]" },
        { """[1]""", "$[0]", null, "expected a variant object" },
        { """[]""", "$", null, "no variant" },
        { "{ \"name\": \"a\",\n  \"rho\": }", "$", null, "not valid JSON (line 2" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EveryProblemNamesItsJsonPathAndRule(string json, string path, string? id, string fragment)
    {
        var result = SamVariantJson.Read(json);
        Assert.True(result.HasErrors, string.Join("\n", result.Problems));
        var problem = Assert.Single(result.Problems, p => p.IsError);
        Assert.Equal(path, problem.Path);
        Assert.Equal(id, problem.Id);
        Assert.Contains(fragment, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("NoiseSam.", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfAFileIsReportedNotJustTheFirst()
    {
        var result = SamVariantJson.Read("""
            [
              { "name": "ok", "rho": 0.1 },
              { "name": "bad-fraction", "microBatch": { "fraction": 2 }, "noise": { "distribution": "Gaussian", "sigma": -1 } },
              { "name": "bad-shape", "scheduel": {} },
              { "name": "quiet", "noise": { "distribution": "Gaussian", "sigma": 0 } }
            ]
            """);
        Assert.Equal(
            ["$[1].microBatch.fraction NSAM004 True", "$[1].noise.sigma NSAM005 True", "$[2].scheduel  True", "$[3].noise.sigma NSAM006 False"],
            result.Problems.Select(p => $"{p.Path} {p.Id} {p.IsError}"));
        Assert.Equal(["ok", "bad-fraction", "quiet"], result.Variants.Select(v => v.Name));
    }

    [Fact]
    public void AProblemPrintsItsPathIdAndMessage()
    {
        var problem = Assert.Single(SamVariantJson.Read("""{ "name": "v", "microBatch": { "fraction": 0 } }""").Problems);
        Assert.StartsWith("$.microBatch.fraction: NSAM004 (error): Variant 'v': [MicroBatch(Fraction = 0)] must be in (0, 1]", problem.ToString(), StringComparison.Ordinal);
    }

    // ---- reflection helpers: fill every settable member, walk two objects member by member ----

    private static IEnumerable<string> SettableMembers(Type type, bool recursive)
    {
        foreach (var p in Settable(type))
        {
            yield return p.Name;
            var inner = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (recursive && IsRecord(inner))
                foreach (string n in SettableMembers(inner, recursive)) yield return n;
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");

    private static bool IsRecord(Type t) => t.Namespace == "NoiseSam" && t.IsClass && t.GetMethod("<Clone>$") is not null;

    private static object Fill(Type type, ref int counter)
    {
        counter++;
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(double)) return 0.001 * counter + 0.5;
        if (t == typeof(float)) return 0.001f * counter + 0.5f;
        if (t == typeof(int)) return counter + 1;
        if (t == typeof(long)) return (long)counter + 1;
        if (t == typeof(bool)) return true;
        if (t == typeof(string)) return $"value-{counter}";
        if (t.IsEnum)
        {
            var values = Enum.GetValues(t);
            return values.GetValue(values.Length - 1)!; // never the default (first) member
        }
        if (t.IsArray || (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t)))
        {
            var element = t.IsArray ? t.GetElementType()! : t.GetGenericArguments()[0];
            var array = Array.CreateInstance(element, 2);
            for (int i = 0; i < 2; i++) array.SetValue(Fill(element, ref counter), i);
            return array;
        }
        if (IsRecord(t))
        {
            var ctor = t.GetConstructors().Where(c => !c.GetParameters().Any(p => p.ParameterType == t)).MaxBy(c => c.GetParameters().Length)!;
            var parameters = ctor.GetParameters();
            var args = new object?[parameters.Length];
            for (int i = 0; i < parameters.Length; i++) args[i] = Fill(parameters[i].ParameterType, ref counter);
            object record = ctor.Invoke(args);
            foreach (var p in Settable(t).Where(p => !parameters.Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase))))
                p.SetValue(record, Fill(p.PropertyType, ref counter));
            return record;
        }
        throw new NotSupportedException($"The round-trip test cannot fill a member of type {type}: teach Fill() that type.");
    }

    private static IEnumerable<(string Path, object? Expected, object? Actual)> Walk(string path, object? expected, object? actual)
    {
        if (expected is null || actual is null || !IsRecord(expected.GetType()))
        {
            yield return (path, expected, actual);
            yield break;
        }
        foreach (var p in Settable(expected.GetType()))
            foreach (var item in Walk($"{path}.{p.Name}", p.GetValue(expected), actual is null ? null : p.GetValue(actual)))
                yield return item;
    }

    private static bool Same(object? a, object? b) =>
        a is IEnumerable ea and not string && b is IEnumerable eb and not string
            ? ea.Cast<object?>().SequenceEqual(eb.Cast<object?>())
            : Equals(a, b);

    private static string Show(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
