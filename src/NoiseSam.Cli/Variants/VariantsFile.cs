using NoiseSam.Json;
using NoiseSam.Rules;

namespace NoiseSam.Cli.Variants;

/// <summary>
/// <c>--variants-file variants.json</c>: variants as data (<see cref="SamVariantJson"/>), checked in
/// full before anything runs and registered on the reference engine.
/// </summary>
public static class VariantsFile
{
    /// <summary>
    /// Reads, checks and registers the variants of <paramref name="path"/>; returns their names in
    /// file order. Every problem is written as its own line (<c>file: $[1].microBatch.fraction: NSAM004 (error): …</c>)
    /// through <paramref name="note"/>, warnings included; any error stops here, before anything runs.
    /// </summary>
    /// <exception cref="UsageException">The file is missing or unreadable, or has an error (exit code 2).</exception>
    public static IReadOnlyList<string> Load(string path, Action<string> note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--variants-file needs the path of a JSON file of variants (see docs/scale-out.md)");
        SamVariantJsonResult result;
        try
        {
            result = SamVariantJson.ReadFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--variants-file: cannot read '{path}': {e.Message}");
        }
        return Register(result, path, "variants file", note);
    }

    /// <summary>
    /// Checks and registers variants already read (a file, or the <c>variants</c> of a study plan);
    /// <paramref name="source"/> starts every problem line.
    /// </summary>
    /// <exception cref="UsageException">Any error.</exception>
    public static IReadOnlyList<string> Register(SamVariantJsonResult result, string source, string what, Action<string> note)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(note);
        var problems = result.Problems.ToList();
        // A name that is already registered with another declaration would silently run the other one.
        for (int i = 0; i < result.Variants.Count; i++)
        {
            var d = result.Variants[i];
            if (!string.IsNullOrWhiteSpace(d.Name) && SamVariantRegistry.TryGet(d.Name, out var entry) && entry.Descriptor != d)
                problems.Add(new SamVariantJsonProblem($"{result.Paths[i]}.name", SamDiagnosticIds.DuplicateVariantName, true,
                    $"the variant name '{d.Name}' is already registered by {entry.Origin} with another declaration; rename the variant in the file"));
        }
        foreach (var p in problems.OrderBy(p => p.IsError ? 0 : 1))
            note($"{source}: {CliApp.OneLine(p.ToString())}");
        int errors = problems.Count(p => p.IsError);
        if (errors > 0)
            throw new UsageException($"{source}: {errors} error(s) in the {what}; nothing was run");

        var names = new List<string>();
        foreach (var d in result.Variants)
        {
            if (!SamVariantRegistry.TryGet(d.Name, out _)) SamVariantRegistry.Register(d);
            names.Add(d.Name);
        }
        return names;
    }
}
