using System.Globalization;
using System.Text.RegularExpressions;
using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>The samples (built with this project) run a few steps on Fashion-MNIST and print what they promise.</summary>
public class SamplesTests
{
    private static ProcessResult RunSample(string name, params string[] args)
    {
        string dll = RepoPaths.Path("samples", name, "bin", RepoPaths.Configuration, "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"missing {dll}: the sample is built as a reference of this test project");
        var result = Dotnet.Run(RepoPaths.Root, [dll, .. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static double Accuracy(ProcessResult run)
    {
        var m = Regex.Match(run.Output, @"^test accuracy.*?([\d.]+) %$", RegexOptions.Multiline);
        Assert.True(m.Success, run.ToString());
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void QuickStartTrainsTheDeclaredVariant()
    {
        var run = RunSample("QuickStart", "--steps", "20");
        var losses = Regex.Matches(run.Output, @"^step\s+(\d+)\s+loss ([\d.]+)\s+SAM step True$", RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(losses.Count == 2, run.ToString()); // steps 0 and 19
        Assert.True(losses[1] < losses[0], run.ToString());
        Assert.True(Accuracy(run) > 30, run.ToString()); // 10 classes: chance is 10 %
    }

    [Fact]
    public void CustomScheduleMixesBaseAndSAMSteps()
    {
        var run = RunSample("CustomSchedule", "--steps", "30");
        var m = Regex.Match(run.Output, @"SAM steps: (\d+) of 30");
        Assert.True(m.Success, run.ToString());
        int sam = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(sam, 1, 30 - 30 / 5); // the first fifth is plain SGD
        Assert.Matches(@"step\s+0\s+loss [\d.]+\s+SGD", run.Output);
        Assert.True(Accuracy(run) > 30, run.ToString());
    }

    [Fact]
    public void SweepBuildsDescriptorsAtRunTimeAndRejectsAnInvalidOne()
    {
        var run = RunSample("Sweep", "--steps", "10");
        Assert.Contains("rejected broken: NSAM004", run.Output, StringComparison.Ordinal);
        var rows = Regex.Matches(run.Output, @"^MBS f=0\.25 sigma=\S+\s+([\d.]+)\s+([\d.]+)$", RegexOptions.Multiline);
        Assert.True(rows.Count == 4, run.ToString());
    }

    [Fact]
    public void RegressionTrainsWithASquaredErrorLossASchedulerAndClipping()
    {
        var run = RunSample("Regression", "--steps", "400");
        var rates = Regex.Matches(run.Output, @"^step\s+(\d+)\s+loss ([\d.]+)\s+lr (\S+)$", RegexOptions.Multiline)
            .Select(m => double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(rates.Count == 3, run.ToString()); // steps 0, 250 and 399
        Assert.True(rates[2] < rates[1] && rates[1] < rates[0], run.ToString()); // CosineAnnealingLR through AsOptimizer()
        var m = Regex.Match(run.Output, @"^test MSE ([\d.]+) \(predicting the training mean: ([\d.]+)\)$", RegexOptions.Multiline);
        Assert.True(m.Success, run.ToString());
        double mse = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), baseline = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(mse < 0.5 * baseline, run.ToString());
    }

    [Fact]
    public void MultiInputTrainsATwoInputModelThroughSamBatch()
    {
        var run = RunSample("MultiInput", "--steps", "20");
        var rows = Regex.Matches(run.Output, @"^step\s+(\d+)\s+loss ([\d.]+)\s+ascent rows (\d+)$", RegexOptions.Multiline).ToList();
        Assert.True(rows.Count == 2, run.ToString()); // steps 0 and 19
        Assert.All(rows, r => Assert.Equal("32", r.Groups[3].Value)); // ⌈0.25 · 128⌉ rows through the closure
        Assert.True(Accuracy(run) > 30, run.ToString());
    }
}
