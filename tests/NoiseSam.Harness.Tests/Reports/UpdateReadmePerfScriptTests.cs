using System.Diagnostics;
using NoiseSam.Cli;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.Reports;

/// <summary>scripts/update-readme-perf.sh renders bench-step's CSV into the PERF markers of docs/performance.md.</summary>
[Collection(TorchCollection.Name)]
public sealed class UpdateReadmePerfScriptTests
{
    private const string Page = """
        # Title

        ## Performance

        <!-- PERF:small-cnn:BEGIN -->
        old table
        <!-- PERF:small-cnn:END -->

        ## Next
        """;

    [Fact]
    public void RendersTheBenchStepCsvWithMemoryBetweenTheMarkers()
    {
        using var dir = new ScratchDir();
        Directory.CreateDirectory(dir["results"]);
        File.WriteAllText(dir["performance.md"], Page);
        var r = CliHarness.Run("bench-step", "--variants", "SGD,SAM", "--warmup", "0", "--rounds", "1", "--steps", "1",
            "--batch-size", "8", "--threads", "1", "--memory", "--memory-steps", "1", "--profile", "--profile-rounds", "1",
            "--out", Path.Combine(dir["results"], "bench-step-small-cnn.csv"));
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());

        var (code, output) = RunScript(dir, "--reuse");
        Assert.True(code == 0, output);
        string text = File.ReadAllText(dir["performance.md"]);
        Assert.DoesNotContain("old table", text);
        Assert.StartsWith("# Title", text);
        Assert.EndsWith("## Next", text.TrimEnd());
        var lines = text.Split('\n').Where(l => l.StartsWith("| S", StringComparison.Ordinal)).Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToList();
        var rows = lines.Where(c => c.Length == 15).ToDictionary(c => c[1]);
        Assert.Equal(["SAM", "SGD"], rows.Keys.Order());
        // variant | SAM steps | ideal | measured | overhead | PyTorch × | TS/PyTorch | ms | peak RSS MiB | state | extra | managed B | host syncs
        Assert.Equal(["100 %", "2.00", "–", "–"], new[] { rows["SAM"][2], rows["SAM"][3], rows["SAM"][6], rows["SAM"][7] });
        Assert.Equal(["8", "4"], new[] { rows["SAM"][10], rows["SAM"][11] });
        Assert.Equal(["0 %", "1.00", "1.00", "1.00", "4", "0"], new[] { rows["SGD"][2], rows["SGD"][3], rows["SGD"][4], rows["SGD"][5], rows["SGD"][10], rows["SGD"][11] });
        Assert.All(rows.Values, c => Assert.True(double.Parse(c[9], System.Globalization.CultureInfo.InvariantCulture) > 32, $"peak RSS {c[9]} MiB"));
        Assert.All(rows.Values, c => Assert.True(double.Parse(c[12], System.Globalization.CultureInfo.InvariantCulture) > 0, $"managed bytes {c[12]}"));
        Assert.Equal(["1", "1"], new[] { rows["SGD"][13], rows["SAM"][13] });   // one host read per step
        // The fixed work of the profiled steps, in µs, one column per variant.
        Assert.Contains("| phase | SGD | SAM |", text);
        Assert.Contains("| host read | ", text);
        Assert.Contains("| **all but the passes** | ", text);
        // The profile's excess table has SAM only (the base step has no excess), and the pass costs are stated.
        var excess = Assert.Single(lines, c => c.Length == 12);
        Assert.Equal(["SAM", "2.00"], excess[1..3]);
        Assert.Contains("8-row forward took", text);
        Assert.Contains("of a pass pair (the cost model assumes 0.33)", text);
        Assert.Contains("![small-cnn step-time ratios](results/bench-step-small-cnn.png)", text);
        Assert.Contains("[bench-step-small-cnn-steps.png](results/bench-step-small-cnn-steps.png)", text);
    }

    [Fact]
    public void RendersThePyTorchColumnsAndRefusesAReadmeWithoutMarkers()
    {
        using var dir = new ScratchDir();
        Directory.CreateDirectory(dir["results"]);
        File.WriteAllText(dir["performance.md"], Page);
        File.WriteAllText(Path.Combine(dir["results"], "bench-step-small-cnn.csv"),
            "variant,implementation,model,median_ms,p25_ms,p75_ms,ratio,ideal_ratio,overhead,parameters,state_buffers,state_bytes_per_param,extra_state_bytes_per_param,peak_rss_bytes,pytorch_median_ms,pytorch_ratio,torchsharp_over_pytorch\n" +
            "SGD,generated,small-cnn,40,39,41,1,1,1,1000,1,4,0,314572800,300,1,0.133333\n" +
            "SAM,generated,small-cnn,82,80,85,2.1,2,1.05,1000,2,8,4,335544320,546,1.82,0.150183\n" +
            "SAM,hand-written,small-cnn,90,88,92,2.25,2,1.125,1000,2,8,4,,,,\n");
        var (code, output) = RunScript(dir, "--reuse", "--model", "small-cnn");
        Assert.True(code == 0, output);
        string text = File.ReadAllText(dir["performance.md"]);
        // A CSV from before the SAM-share columns: the share is unknown, the rest renders.
        Assert.Contains("| SAM | – | 2.00 | 2.10 | 1.05 | 1.82 | 0.15 | 82.0 | 320 | 8 | 4 | – | – |", text);
        Assert.Contains("| SGD | – | 1.00 | 1.00 | 1.00 | 1.00 | 0.13 | 40.0 | 300 | 4 | 0 | – | – |", text);
        Assert.DoesNotContain("90.0", text);   // the hand-written row is not the variant's row

        File.WriteAllText(dir["performance.md"], "# no markers\n");
        (code, output) = RunScript(dir, "--reuse");
        Assert.NotEqual(0, code);
        Assert.Contains("no PERF:small-cnn markers", output);
    }

    private static (int Code, string Output) RunScript(ScratchDir dir, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "update-readme-perf.sh"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["NOISESAM_PERF_PAGE"] = dir["performance.md"];
        psi.Environment["NOISESAM_RESULTS_DIR"] = dir["results"];
        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "scripts", "update-readme-perf.sh"))) return d.FullName;
        throw new InvalidOperationException("scripts/update-readme-perf.sh not found above " + AppContext.BaseDirectory);
    }
}
