using NoiseSam.Cli;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class VariantsCommandTests
{
    [Fact]
    public void ListsThePaperSetWithDeclarationAndCost()
    {
        var r = CliHarness.Run("variants");
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        foreach (var d in PaperVariants.Descriptors)
        {
            Assert.Contains(d.Name, r.Out);
            Assert.Contains(CostModel.IdealRatio(d).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), r.Out);
        }
        Assert.Contains("Expected cost", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void PaperSetHasTheExactNames() =>
        Assert.Equal(["SGD", "SAM", "ASAM", "ESAM", "LookSAM-5", "AE-SAM", "K-SAM", "SS-SAM", "MBS", "NI-MBS"], PaperVariants.Names);

    [Fact]
    public void PaperDescriptorsBreakNoRule()
    {
        foreach (var d in PaperVariants.Descriptors)
            Assert.True(d.Validate().Count == 0, $"{d.Name}: {string.Join("; ", d.Validate())}");
    }

    [Fact]
    public void EveryPaperVariantIsRegisteredAndCreatesASteppableStep()
    {
        PaperVariants.EnsureRegistered();
        PaperVariants.EnsureRegistered(); // idempotent
        foreach (var d in PaperVariants.Descriptors)
        {
            Assert.True(SamVariantRegistry.TryGet(d.Name, out var entry), d.Name);
            Assert.Equal(d, entry.Descriptor);
        }
    }

    [Fact]
    public void GeneratedDeclarationsEqualTheDescriptorList()
    {
        // The [SamVariant] classes in PaperVariants.cs are turned into steps by the source generator,
        // whose module initializer registers them; their descriptors must be the same declarations.
        var generated = typeof(PaperVariants).Assembly.GetTypes()
            .Where(t => typeof(ISamStep).IsAssignableFrom(t) && t.Namespace == typeof(PaperVariants).Namespace)
            .ToDictionary(t => ((SamVariantDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!).Name);
        Assert.Equal(PaperVariants.Names.Order(), generated.Keys.Order());
        foreach (var d in PaperVariants.Descriptors)
        {
            var type = generated[d.Name];
            Assert.Equal(d, (SamVariantDescriptor)type.GetProperty("Descriptor")!.GetValue(null)!);
            Assert.True(SamVariantRegistry.TryGet(d.Name, out var entry));
            Assert.Equal(type, entry.GeneratedType);
        }
    }

    [Fact]
    public void TheNominalDeclarationsKeepThePapersSettingsUnderTheirOwnNames()
    {
        // ALGORITHMS.md §11: lr 0.05 with momentum 0.9 and weight decay 5e-4 for every variant, K-SAM
        // at lr 0.01; ρ 0.05 (ASAM 0.5, LookSAM 0.1); LookSAM α 0.7; NI-MBS σ 0.5.
        PaperVariants.EnsureRegistered();
        var nominal = PaperVariants.Nominal.ToDictionary(d => d.Name);
        Assert.Equal(PaperVariants.Names.Select(n => n + "-paper").Order(), nominal.Keys.Order());
        foreach (var d in PaperVariants.Nominal)
        {
            var b = d.EffectiveBaseOptimizer;
            Assert.Equal((d.Name == "K-SAM-paper" ? 0.01 : 0.05, 0.9, 5e-4), (b.EffectiveLearningRate, b.EffectiveMomentum, b.EffectiveWeightDecay));
            Assert.True(SamVariantRegistry.TryGet(d.Name, out var entry) && entry.Descriptor == d, d.Name);
            Assert.Empty(d.Validate());
        }
        Assert.Equal(0.05, nominal["SAM-paper"].EffectiveRho);
        Assert.Equal(0.5, nominal["ASAM-paper"].EffectiveRho);
        Assert.Equal((0.1, 0.7), (nominal["LookSAM-5-paper"].EffectiveRho, nominal["LookSAM-5-paper"].Schedule!.EffectiveAlpha));
        Assert.Equal(0.5, nominal["NI-MBS-paper"].Noise!.Sigma);
        // The searched declarations differ from them only where the search chose (docs/tuning*.md).
        var sam = PaperVariants.Descriptors.Single(d => d.Name == "SAM");
        Assert.Equal(nominal["SAM-paper"] with { Name = "SAM", BaseOptimizer = sam.BaseOptimizer }, sam);
    }

    [Fact]
    public void TheListSaysWhereEachVariantsSettingsComeFrom()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """[{ "name": "mine-0.3", "rho": 0.3 }]""");
        var r = CliHarness.Run("variants", "--variants-file", dir["v.json"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        // A row's first line starts with its name (declarations wrap onto further lines).
        string Row(string name) => r.Out.Split('\n').First(l => l.StartsWith($"│ {name} ", StringComparison.Ordinal));
        Assert.Contains("search", Row("SGD"), StringComparison.Ordinal);
        Assert.Contains("paper (ALGORITHMS.md", Row("SGD-paper"), StringComparison.Ordinal);
        Assert.Contains("--variants-file", Row("mine-0.3"), StringComparison.Ordinal);
    }
}

[Collection(TorchCollection.Name)]
public sealed class BenchStepCommandTests
{
    [Fact]
    public void TimesEachVariantRelativeToTheBaseOptimizer()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("bench-step", "--variants", "SGD,SAM,MBS", "--warmup", "1", "--rounds", "2", "--steps", "2",
            "--batch-size", "32", "--threads", "2", "--out", dir["steps.csv"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var rows = File.ReadAllLines(dir["steps.csv"]).Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0]);
        Assert.Equal(["MBS", "SAM", "SGD"], rows.Keys.Order());
        Assert.Equal(1.0, double.Parse(rows["SGD"][6], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.All(rows.Values, c => Assert.True(double.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Equal(2.0, double.Parse(rows["SAM"][7], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Contains("Overhead", r.Out);
    }

    [Fact]
    public void ProfileShowsEachVariantsPassesAndWritesThemBesideTheTimings()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("bench-step", "--variants", "SGD,SAM,MBS,SS-SAM", "--warmup", "0", "--rounds", "2", "--steps", "2",
            "--batch-size", "8", "--threads", "1", "--profile", "--profile-rounds", "2", "--out", dir["steps.csv"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("Where the time goes", r.Out);
        Assert.Contains("Time over the cost model's ideal", r.Out);
        Assert.Contains("Passes by rows", r.Out);

        // variant,implementation,model,phase,kind,calls_per_step,ms_per_step: 4 profiled steps each.
        var rows = File.ReadAllLines(dir["steps-profile.csv"]).Skip(1).Select(l => l.Split(',')).ToList();
        double Calls(string variant, string phase) =>
            rows.Where(c => c[0] == variant && c[3] == phase).Select(c => double.Parse(c[5], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Single();
        Assert.Equal(1.0, Calls("SGD", "forward 8"));
        Assert.Equal(2.0, Calls("SAM", "backward 8"));
        Assert.Equal(1.0, Calls("MBS", "forward 2"));      // ⌈0.25·8⌉ rows for the ascent
        Assert.Equal(1.0, Calls("MBS", "forward 8"));
        // SS-SAM: 1 + (share of SAM steps) full-batch passes per step, never a micro-batch.
        Assert.InRange(Calls("SS-SAM", "forward 8"), 1.0, 2.0);
        foreach (string v in new[] { "SGD", "SAM", "MBS", "SS-SAM" })
        {
            var mine = rows.Where(c => c[0] == v).ToList();
            double step = double.Parse(mine.Single(c => c[3] == "step")[6], System.Globalization.CultureInfo.InvariantCulture);
            double parts = mine.Where(c => c[3] != "step" && c[3] != "unattributed").Sum(c => double.Parse(c[6], System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(parts, 0.0, step);
        }

        // SS-SAM's time and ideal ratio are priced at p = 0.5 when both kinds of step ran, else at the kind that ran.
        var timings = File.ReadAllLines(dir["steps.csv"]);
        var header = timings[0].Split(',');
        var ss = timings.Skip(1).Select(l => l.Split(',')).Single(c => c[0] == "SS-SAM");
        double Get(string column) => double.Parse(ss[Array.IndexOf(header, column)], System.Globalization.CultureInfo.InvariantCulture);
        double observed = Get("sam_share");
        Assert.Contains(observed, new[] { 0, 0.25, 0.5, 0.75, 1 });
        Assert.Equal(observed is 0 or 1 ? observed : 0.5, Get("priced_sam_share"), 9);
        Assert.Equal(1 + Get("priced_sam_share"), Get("ideal_ratio"), 9);
        Assert.Equal(1.5, Get("expected_ideal_ratio"), 9);

        // Every timed step in run order: 4 variants × 2 rounds × 2 steps, SAM's all SAM steps, SGD's none.
        var steps = File.ReadAllLines(dir["steps-steps.csv"]).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), steps.Select(c => c[0]));
        Assert.All(steps.Where(c => c[1] == "SAM"), c => Assert.Equal("1", c[5]));
        Assert.All(steps.Where(c => c[1] == "SGD"), c => Assert.Equal("0", c[5]));
        Assert.Equal(observed, steps.Where(c => c[1] == "SS-SAM").Average(c => double.Parse(c[5], System.Globalization.CultureInfo.InvariantCulture)), 9);
        foreach (string png in new[] { dir["steps.png"], dir["steps-steps.png"] })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void MemoryReportsEachVariantsPeakRssFromAFreshProcessAndItsStateBytes()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("bench-step", "--variants", "SGD,SAM,LookSAM-5", "--warmup", "0", "--rounds", "1", "--steps", "1",
            "--batch-size", "16", "--threads", "1", "--memory", "--memory-steps", "3", "--out", dir["steps.csv"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var lines = File.ReadAllLines(dir["steps.csv"]);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new Xunit.Sdk.XunitException($"no column {name}");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0]);
        long own = NoiseSam.Harness.Benchmarks.MemoryProbe.ReadStatusBytes("VmHWM");
        foreach (var (name, c) in rows)
        {
            long peak = long.Parse(c[Column("peak_rss_bytes")], System.Globalization.CultureInfo.InvariantCulture);
            long parameterBytes = long.Parse(c[Column("parameters")], System.Globalization.CultureInfo.InvariantCulture) * 4;
            // The child holds the runtime, libtorch, weights, gradients and state: far above one parameter buffer,
            // far below this test host (which has run many models), and plausible for a process at all.
            Assert.True(peak > 4 * parameterBytes && peak > 32L << 20, $"{name}: peak RSS {peak} bytes is not plausible");
            Assert.True(peak < 8L << 30, $"{name}: peak RSS {peak} bytes is not plausible");
            Assert.NotEqual(own, peak);
        }
        Assert.Equal(["4", "0"], new[] { rows["SGD"][Column("state_bytes_per_param")], rows["SGD"][Column("extra_state_bytes_per_param")] });
        Assert.Equal(["8", "4"], new[] { rows["SAM"][Column("state_bytes_per_param")], rows["SAM"][Column("extra_state_bytes_per_param")] });
        Assert.Equal(["12", "8"], new[] { rows["LookSAM-5"][Column("state_bytes_per_param")], rows["LookSAM-5"][Column("extra_state_bytes_per_param")] });
        Assert.Contains("Peak RSS", r.Out);
    }

    [Fact]
    public void MemoryChildPrintsOnePlausibleMeasurement()
    {
        var r = CliHarness.Run("bench-step-memory-child", "--variant", "SAM", "--batch-size", "8", "--threads", "1", "--steps", "2");
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var usage = System.Text.Json.JsonSerializer.Deserialize<NoiseSam.Harness.Benchmarks.MemoryUsage>(r.Out.Trim())!;
        Assert.Equal("SAM", usage.Variant);
        Assert.Equal(2, usage.Steps);
        Assert.True(usage.PeakRssBytes >= usage.FinalRssBytes && usage.FinalRssBytes > usage.Parameters * 4, r.Out);
        // Hidden from help.
        Assert.DoesNotContain("bench-step-memory-child", CliHarness.Run("--help").Out);
    }

    [Fact]
    public void RssStepsSamplesResidentMemoryEveryNSteps()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("bench-step", "--variants", "MBS", "--batch-size", "16", "--threads", "1",
            "--rss-steps", "25", "--rss-every", "10", "--out", dir["rss.csv"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var rows = File.ReadAllLines(dir["rss.csv"]).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["0", "10", "20", "25"], rows.Select(c => c[2]));
        Assert.All(rows, c => Assert.Equal("MBS", c[0]));
        Assert.All(rows, c => Assert.True(long.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture) > 32L << 20));
        Assert.Contains("RSS moved", r.Out);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("bench-step", "--rss-steps", "0").ExitCode);
    }

    [Fact]
    public void BadArgumentsAreOneLineErrors()
    {
        var r = CliHarness.Run("bench-step", "--variants", "XYZ");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("unknown variant 'XYZ'", r.Error);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("bench-step", "--rounds", "0").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("bench-step", "--model", "nonet").ExitCode);
    }
}
