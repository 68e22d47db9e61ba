using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Tests.Helpers;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// Property-style parity between the IDE and the run time: over a generated grid of declarations
/// (every argument alone at NaN, ±∞, 0, −0, 1, negatives and the boundaries of its range, under every
/// policy/kind it may meet, plus seeded random combinations), all the analyzers together report
/// exactly the (id, severity, message) list that <see cref="SamVariantDescriptor.Validate"/> returns
/// for the descriptor with the same values. So a declaration the analyzers accept is accepted by
/// Validate() and vice versa.
/// </summary>
public class ValidateParityTests
{
    private static readonly double[] Specials =
    {
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1.0, -1.0,
        0.5, 2.0, 1e-12, 0.9999999999, 1.0000000001, -1e-300, double.Epsilon, double.MaxValue, 5e-4, 0.999,
    };

    private static readonly int[] SpecialInts = { int.MinValue, -1, 0, 1, 2, 5, int.MaxValue };

    /// <summary>The grid: one argument at a time in every context, then random combinations.</summary>
    private static List<SamVariantDescriptor> Grid()
    {
        var grid = new List<SamVariantDescriptor>();
        var d0 = new SamVariantDescriptor("P");

        foreach (double x in Specials)
        {
            grid.Add(d0 with { Rho = x });
            foreach (PerturbationKind kind in Enum.GetValues<PerturbationKind>())
            {
                grid.Add(d0 with { Perturbation = kind, Eta = x });
                grid.Add(d0 with { Perturbation = kind, Beta = x });
            }
            foreach (FractionSchedule? fs in new FractionSchedule?[] { null, FractionSchedule.Constant, FractionSchedule.Linear })
            {
                grid.Add(d0 with { MicroBatch = new MicroBatchSpec { Fraction = x, FractionSchedule = fs } });
                grid.Add(d0 with { MicroBatch = new MicroBatchSpec { Fraction = 0.5, FinalFraction = x, FractionSchedule = fs, Selection = MicroBatchSelection.TopLoss } });
                grid.Add(d0 with { MicroBatch = new MicroBatchSpec { Fraction = x, Selection = MicroBatchSelection.Head, FinalFraction = 0.5, FractionSchedule = fs } });
            }
            foreach (DescentSet set in Enum.GetValues<DescentSet>())
                grid.Add(d0 with { DescentSelection = new DescentSelectionSpec(set) { Fraction = x } });
            foreach (NoiseScaling? scaling in new NoiseScaling?[] { null, NoiseScaling.Absolute, NoiseScaling.MicroBatch })
                grid.Add(d0 with { Noise = new NoiseSpec(NoiseDistribution.Uniform) { Sigma = x, Scaling = scaling } });
            foreach (SchedulePolicy policy in Enum.GetValues<SchedulePolicy>())
            {
                grid.Add(d0 with { Schedule = new ScheduleSpec(policy) { Probability = x } });
                grid.Add(d0 with { Schedule = new ScheduleSpec(policy) { Alpha = x } });
                grid.Add(d0 with { Schedule = new ScheduleSpec(policy) { C = x } });
                grid.Add(d0 with { Schedule = new ScheduleSpec(policy) { Delta = x } });
            }
            foreach (OptimizerKind kind in Enum.GetValues<OptimizerKind>())
            {
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { LearningRate = x } });
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { WeightDecay = x } });
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { Momentum = x, Nesterov = true } });
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { Beta1 = x } });
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { Beta2 = x } });
                grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec(kind) { Epsilon = x } });
            }
        }
        foreach (int k in SpecialInts)
            foreach (SchedulePolicy policy in Enum.GetValues<SchedulePolicy>())
                grid.Add(d0 with { Schedule = new ScheduleSpec(policy) { K = k } });
        foreach (int undefined in new[] { -1, 3, 42 })
        {
            grid.Add(d0 with { Perturbation = (PerturbationKind)undefined, Eta = 0.1 });
            grid.Add(d0 with { MicroBatch = new MicroBatchSpec { Selection = (MicroBatchSelection)undefined, FractionSchedule = (FractionSchedule)undefined } });
            grid.Add(d0 with { DescentSelection = new DescentSelectionSpec((DescentSet)undefined) { Fraction = 0.5 } });
            grid.Add(d0 with { Noise = new NoiseSpec((NoiseDistribution)undefined) { Scaling = (NoiseScaling)undefined } });
            grid.Add(d0 with { Schedule = new ScheduleSpec((SchedulePolicy)(undefined + 7)) { K = 0 } });
            grid.Add(d0 with { BaseOptimizer = new BaseOptimizerSpec((OptimizerKind)undefined) { Momentum = 0.5, Beta1 = 0.5 } });
        }
        foreach (string name in new[] { "", " ", "\t" })
            grid.Add(new SamVariantDescriptor(name) { Rho = -1 });

        var random = new Random(20250107);
        for (int i = 0; i < 600; i++)
            grid.Add(RandomDescriptor(random));
        return grid;
    }

    private static SamVariantDescriptor RandomDescriptor(Random r)
    {
        double? D(double p = 0.4) => r.NextDouble() < p ? (r.NextDouble() < 0.5 ? Specials[r.Next(Specials.Length)] : Math.Round(r.NextDouble() * 2 - 0.5, 3)) : null;
        // Now and then an undefined value such as (SchedulePolicy)42 (NSAM014).
        T Pick<T>() where T : struct, Enum => r.NextDouble() < 0.03
            ? (T)Enum.ToObject(typeof(T), r.Next(2) == 0 ? 42 : -1)
            : Enum.GetValues<T>()[r.Next(Enum.GetValues<T>().Length)];
        T? E<T>(double p = 0.4) where T : struct, Enum => r.NextDouble() < p ? Pick<T>() : null;
        bool Has() => r.NextDouble() < 0.5;

        return new SamVariantDescriptor("P")
        {
            Rho = D(), Perturbation = Pick<PerturbationKind>(), Eta = D(0.25), Beta = D(0.25),
            MicroBatch = Has() ? new MicroBatchSpec { Fraction = D(), Selection = E<MicroBatchSelection>(), FinalFraction = D(0.3), FractionSchedule = E<FractionSchedule>() } : null,
            DescentSelection = Has() ? new DescentSelectionSpec(Pick<DescentSet>()) { Fraction = D() } : null,
            Noise = Has() ? new NoiseSpec(Pick<NoiseDistribution>()) { Sigma = r.NextDouble() < 0.2 ? 0 : D(), Scaling = E<NoiseScaling>() } : null,
            Schedule = Has() ? new ScheduleSpec(Pick<SchedulePolicy>())
            {
                K = r.NextDouble() < 0.3 ? SpecialInts[r.Next(SpecialInts.Length)] : null,
                Probability = D(0.3), Alpha = D(0.3), C = D(0.3), Delta = D(0.3),
            } : null,
            BaseOptimizer = Has() ? new BaseOptimizerSpec(Pick<OptimizerKind>())
            {
                LearningRate = D(0.3), Momentum = D(0.3), Nesterov = r.NextDouble() < 0.3 ? Has() : null,
                WeightDecay = D(0.3), Beta1 = D(0.2), Beta2 = D(0.2), Epsilon = D(0.2),
            } : null,
        };
    }

    [Fact]
    public async Task AnalyzersAndValidateReportTheSameViolationsOverTheGrid()
    {
        List<SamVariantDescriptor> grid = Grid();
        // Unique registry names (NSAM012 is not a value rule), except the deliberately empty ones.
        grid = grid.Select((d, i) => string.IsNullOrWhiteSpace(d.Name) ? d : d with { Name = $"V{i}" }).ToList();

        var mismatches = new List<string>();
        int accepted = 0, rejected = 0;
        var idsSeen = new HashSet<string>();
        const int perCompilation = 400;
        for (int start = 0; start < grid.Count; start += perCompilation)
        {
            List<SamVariantDescriptor> batch = grid.Skip(start).Take(perCompilation).ToList();
            Dictionary<int, List<string>> analyzed = await AnalyzeAsync(batch, start);
            for (int i = 0; i < batch.Count; i++)
            {
                IReadOnlyList<SamRuleViolation> violations = batch[i].Validate();
                List<string> expected = violations.Select(v => Key(v.Id, v.IsError, v.Message)).OrderBy(s => s, StringComparer.Ordinal).ToList();
                List<string> actual = analyzed.TryGetValue(start + i, out List<string>? found) ? found.OrderBy(s => s, StringComparer.Ordinal).ToList() : new List<string>();
                if (!expected.SequenceEqual(actual))
                    mismatches.Add($"{Render(batch[i], start + i)}\n  Validate: {string.Join(" | ", expected)}\n  analyzer: {string.Join(" | ", actual)}");
                if (violations.Any(v => v.IsError)) rejected++; else accepted++;
                idsSeen.UnionWith(violations.Select(v => v.Id));
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {grid.Count} declarations differ:\n" + string.Join("\n", mismatches.Take(10)));
        // The grid must exercise both outcomes and every value rule.
        Assert.True(accepted > 50 && rejected > 50, $"accepted {accepted}, rejected {rejected}");
        Assert.Superset(new HashSet<string> { "NSAM002", "NSAM003", "NSAM004", "NSAM005", "NSAM006", "NSAM007", "NSAM009", "NSAM010", "NSAM011", "NSAM014", "NSAM015" }, idsSeen);
    }

    private static string Key(string id, bool isError, string message) => $"{id} {(isError ? "error" : "warning")}: {message}";

    /// <summary>Compiles the declarations as classes C{index} and runs every analyzer; diagnostics by class index.</summary>
    private static async Task<Dictionary<int, List<string>>> AnalyzeAsync(List<SamVariantDescriptor> batch, int firstIndex)
    {
        var source = new StringBuilder("using NoiseSam.Dsl;\n\nnamespace Grid;\n\n");
        for (int i = 0; i < batch.Count; i++)
            source.Append(Render(batch[i], firstIndex + i)).Append('\n');

        SyntaxTree tree = CSharpSyntaxTree.ParseText(source.ToString(), new CSharpParseOptions(LanguageVersion.Latest), path: "Grid.cs");
        CSharpCompilation compilation = CSharpCompilation.Create("Grid", new[] { tree }, TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Diagnostic[] compileErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(compileErrors.Length == 0, "the rendered grid does not compile: " + string.Join("\n", compileErrors.Take(5)));

        ImmutableArray<Diagnostic> diagnostics = await compilation
            .WithAnalyzers(AnalyzerCatalog.Analyzers)
            .GetAnalyzerDiagnosticsAsync();
        SyntaxNode root = await tree.GetRootAsync();

        var byClass = new Dictionary<int, List<string>>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            ClassDeclarationSyntax owner = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ClassDeclarationSyntax>().First();
            int index = int.Parse(owner.Identifier.ValueText.AsSpan(1), CultureInfo.InvariantCulture);
            if (!byClass.TryGetValue(index, out List<string>? list)) byClass.Add(index, list = new List<string>());
            list.Add(Key(diagnostic.Id, diagnostic.Severity == DiagnosticSeverity.Error, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
        }
        return byClass;
    }

    /// <summary>The descriptor as attributes on <c>partial class C{index}</c> (with ShouldPerturb, so Custom is complete).</summary>
    private static string Render(SamVariantDescriptor d, int index)
    {
        var sb = new StringBuilder();
        var args = new List<string> { SymbolDisplay.FormatLiteral(d.Name, quote: true) };
        Named(args, "Rho", d.Rho);
        if (d.Perturbation != PerturbationKind.Sam || index % 2 == 0) args.Add($"Perturbation = {EnumLiteral(d.Perturbation)}");
        Named(args, "Eta", d.Eta);
        Named(args, "Beta", d.Beta);
        Attribute(sb, "SamVariant", args);

        if (d.MicroBatch is { } mb)
        {
            args = new List<string>();
            Named(args, "Fraction", mb.Fraction);
            if (mb.Selection is { } sel) args.Add($"Selection = {EnumLiteral(sel)}");
            Named(args, "FinalFraction", mb.FinalFraction);
            if (mb.FractionSchedule is { } fs) args.Add($"FractionSchedule = {EnumLiteral(fs)}");
            Attribute(sb, "MicroBatch", args);
        }
        if (d.DescentSelection is { } ds)
        {
            args = new List<string> { $"{EnumLiteral(ds.Set)}" };
            Named(args, "Fraction", ds.Fraction);
            Attribute(sb, "DescentSelection", args);
        }
        if (d.Noise is { } noise)
        {
            args = new List<string> { $"{EnumLiteral(noise.Distribution)}" };
            Named(args, "Sigma", noise.Sigma);
            if (noise.Scaling is { } scaling) args.Add($"Scaling = {EnumLiteral(scaling)}");
            Attribute(sb, "Noise", args);
        }
        if (d.Schedule is { } schedule)
        {
            args = new List<string> { $"{EnumLiteral(schedule.Policy)}" };
            if (schedule.K is { } k) args.Add($"K = {(k == int.MinValue ? "int.MinValue" : k.ToString(CultureInfo.InvariantCulture))}");
            Named(args, "Probability", schedule.Probability);
            Named(args, "Alpha", schedule.Alpha);
            Named(args, "C", schedule.C);
            Named(args, "Delta", schedule.Delta);
            Attribute(sb, "Schedule", args);
        }
        if (d.BaseOptimizer is { } opt)
        {
            args = new List<string> { $"{EnumLiteral(opt.Kind)}" };
            Named(args, "LearningRate", opt.LearningRate);
            Named(args, "Momentum", opt.Momentum);
            if (opt.Nesterov is { } nesterov) args.Add($"Nesterov = {(nesterov ? "true" : "false")}");
            Named(args, "WeightDecay", opt.WeightDecay);
            Named(args, "Beta1", opt.Beta1);
            Named(args, "Beta2", opt.Beta2);
            Named(args, "Epsilon", opt.Epsilon);
            Attribute(sb, "BaseOptimizer", args);
        }
        sb.Append($$"""
            public partial class C{{index}}
            {
                private partial bool ShouldPerturb(in global::NoiseSam.StepContext context);
                private partial bool ShouldPerturb(in global::NoiseSam.StepContext context) => true;
            }

            """);
        return sb.ToString();
    }

    private static void Attribute(StringBuilder sb, string name, List<string> args) =>
        sb.Append('[').Append(name).Append(args.Count == 0 ? "" : "(" + string.Join(", ", args) + ")").Append("]\n");

    private static void Named(List<string> args, string name, double? value)
    {
        if (value is double x) args.Add($"{name} = {Literal(x)}");
    }

    /// <summary><c>Type.Member</c>, or <c>(Type)number</c> for an undefined value.</summary>
    private static string EnumLiteral<T>(T value) where T : struct, Enum =>
        Enum.IsDefined(value)
            ? $"{typeof(T).Name}.{value}"
            : $"(({typeof(T).Name})({Convert.ToInt64(value, CultureInfo.InvariantCulture)}))";

    /// <summary>A C# expression for exactly <paramref name="x"/>.</summary>
    private static string Literal(double x)
    {
        if (double.IsNaN(x)) return "double.NaN";
        if (double.IsPositiveInfinity(x)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(x)) return "double.NegativeInfinity";
        if (x == double.MaxValue) return "double.MaxValue";
        if (x == double.Epsilon) return "double.Epsilon";
        string text = x.ToString("R", CultureInfo.InvariantCulture);
        if (!text.Contains('.') && !text.Contains('E')) text += ".0";
        return text.StartsWith('-') ? "-" + text[1..] : text;
    }
}
