using System.CommandLine;
using System.Globalization;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Study;
using NoiseSam.Json;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// <c>study --plan plan.json</c> (<see cref="StudyPlanFile"/>): the plan's settings become the
/// command-line options they stand for, added for every option not given on the command line, and
/// the command line is parsed again. So a flag always overrides the file, and the file's values
/// are checked by exactly the checks of the flags.
/// </summary>
internal static class StudyPlanArguments
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// With --plan: reads the plan, registers its variants (names returned in <paramref name="variants"/>)
    /// and returns the command line parsed again with the plan's settings; without it, <paramref name="parse"/> as is.
    /// </summary>
    /// <exception cref="UsageException">The plan cannot be read, is not valid, or gives a value its option refuses.</exception>
    public static ParseResult Apply(CliContext context, ParseResult parse, Option<string?> planOption, out IReadOnlyList<string> variants)
    {
        variants = [];
        if (parse.GetValue(planOption) is not string path) return parse;
        StudyPlanFile plan;
        try
        {
            plan = StudyPlanFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--plan: cannot read '{path}': {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--plan {path}: {e.Message}");
        }

        var command = parse.CommandResult.Command;
        bool Given(string name) =>
            command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name)) is { } option
            && parse.GetResult(option) is { Implicit: false };
        var added = new List<string>();
        foreach (var (name, value) in Settings(plan, Path.GetDirectoryName(Path.GetFullPath(path))!))
            if (!Given(name)) added.AddRange([name, value]);
        if (plan.Variants is { } element)
            variants = VariantsFile.Register(SamVariantJson.Read(element, "$.variants"), path, "plan's variants", context.Note);
        if (added.Count == 0) return parse;

        var again = parse.RootCommandResult.Command.Parse([.. parse.Tokens.Select(t => t.Value), .. added]);
        if (again.Errors.Count > 0)
            throw new UsageException($"--plan {path}: {string.Join("; ", again.Errors.Select(e => CliApp.OneLine(e.Message)))}");
        return again;
    }

    /// <summary>The plan's settings as (option, value) pairs, in the form the options parse.</summary>
    internal static IEnumerable<(string Option, string Value)> Settings(StudyPlanFile plan, string planDirectory)
    {
        if (plan.Fractions is { } f) yield return ("--fractions", Join(f));
        if (plan.Sigmas is { } s) yield return ("--sigmas", Join(s));
        if (plan.Scalings is { } sc) yield return ("--scalings", string.Join(",", sc));
        if (plan.Baselines is { } b) yield return ("--baselines", b.Count == 0 ? "none" : string.Join(",", b));
        // --seeds takes a count or a comma list: a single seed is written as a list of it twice (duplicates are dropped).
        if (plan.Seeds is { Count: > 0 } seeds) yield return ("--seeds", string.Join(",", seeds.Count == 1 ? [seeds[0], seeds[0]] : seeds));
        if (plan.Epochs is int e) yield return ("--epochs", e.ToString(Inv));
        if (plan.Model is { } m) yield return ("--model", m);
        if (plan.BatchSize is int bs) yield return ("--batch-size", bs.ToString(Inv));
        if (plan.Threads is int t) yield return ("--threads", t.ToString(Inv));
        if (plan.Device is { } d) yield return ("--device", d);
        if (plan.Rho is double rho) yield return ("--rho", rho.ToString("R", Inv));
        if (plan.Lr is double lr) yield return ("--lr", lr.ToString("R", Inv));
        if (plan.ProbeSamples is int p) yield return ("--probe-samples", p.ToString(Inv));
        if (plan.EigenIterations is int it) yield return ("--eigen-iterations", it.ToString(Inv));
        if (plan.LandscapePoints is int lp) yield return ("--landscape-points", lp.ToString(Inv));
        if (plan.Data is { } data)
        {
            if (data.Name is { } name) yield return ("--data", name);
            if (data.Dir is { } dir) yield return ("--data-dir", Path.GetFullPath(dir, planDirectory));
            if (data.TrainLimit is int tl) yield return ("--train-limit", tl.ToString(Inv));
            if (data.TestLimit is int te) yield return ("--test-limit", te.ToString(Inv));
            if (data.ValFraction is double vf) yield return ("--val-fraction", vf.ToString("R", Inv));
            if (data.LabelNoise is double ln) yield return ("--label-noise", ln.ToString("R", Inv));
            if (data.DataSeed is long ds) yield return ("--data-seed", ds.ToString(Inv));
            if (data.Augment is bool a) yield return ("--augment", a ? "true" : "false");
        }
    }

    private static string Join(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", Inv)));
}
