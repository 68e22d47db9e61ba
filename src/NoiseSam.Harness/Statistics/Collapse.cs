namespace NoiseSam.Harness.Statistics;

/// <summary>
/// Runs that collapsed: a seed that ended far below the best seed of the same variant (the
/// K-SAM seed whose fc1 ReLUs died during warm-up ended at 31 % where its other seeds reached
/// 86 %), or one that ended near chance. Such a run is reported by itself, never averaged into
/// its variant's mean as if it were seed noise.
/// </summary>
public static class Collapse
{
    /// <summary>A run this far (in accuracy, as a fraction) below the best run of its variant has collapsed.</summary>
    public const double Margin = 0.15;

    /// <summary>A run at or below this multiple of chance accuracy (1 / classes) has collapsed.</summary>
    public const double ChanceMultiple = 2.0;

    /// <summary>
    /// Indices of the collapsed runs among <paramref name="accuracies"/> (final accuracies of one
    /// variant's seeds, as fractions). Non-finite accuracies (diverged runs) count as collapsed.
    /// </summary>
    public static IReadOnlyList<int> Find(IReadOnlyList<double> accuracies, int classes)
    {
        ArgumentNullException.ThrowIfNull(accuracies);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "at least two classes");
        double best = accuracies.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
        double floor = ChanceMultiple / classes;
        var found = new List<int>();
        for (int i = 0; i < accuracies.Count; i++)
        {
            double a = accuracies[i];
            if (!double.IsFinite(a) || a <= floor || a < best - Margin) found.Add(i);
        }
        return found;
    }
}
