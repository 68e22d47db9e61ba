using NoiseSam.Harness.Benchmarks;

namespace NoiseSam.Harness.Tests.Benchmarks;

/// <summary>
/// The PyTorch peer is only a baseline when its matrix products run on an optimised BLAS: Debian's
/// python3-torch on the reference libblas3 spends 14.5 ms on a 128×784·784×256 product that takes
/// 0.9 ms on OpenBLAS, so its step times measured the BLAS. These paths are the ones
/// sam_step_bench.py reports on Debian 12 (realpath of the mapped libblas.so.3).
/// </summary>
public sealed class PeerBlasTests
{
    private const string Reference = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
    private const string OpenBlasOpenMp = "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3";

    [Fact]
    public void PeerOnTheReferenceBlasIsRefusedNamingThePackageThatFixesIt()
    {
        string json = $$$$"""{"torch": "1.13.0a0", "blas": "{{{{Reference}}}}", "variants": {"SGD": {"median_ms": 20.1, "p25_ms": 20.0, "p75_ms": 20.3}}}""";

        var error = Assert.Throws<InvalidOperationException>(() => PyTorchBaseline.Parse(json));

        Assert.Contains(Reference, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libopenblas0-openmp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeerOnOpenBlasIsAcceptedAndNamedWithItsTimings()
    {
        string json = $$$$"""{"torch": "1.13.0a0", "blas": "{{{{OpenBlasOpenMp}}}}", "variants": {"SGD": {"median_ms": 1.16, "p25_ms": 1.12, "p75_ms": 1.22}, "SAM": {"median_ms": 2.76, "p25_ms": 2.67, "p75_ms": 2.86}}}""";

        var run = PyTorchBaseline.Parse(json);

        Assert.Equal("OpenBLAS (OpenMP)", run.Blas);
        Assert.Equal("1.13.0a0", run.TorchVersion);
        Assert.Equal(["SGD", "SAM"], run.Timings.Select(t => t.Variant));
        Assert.Equal(2.76, run.Timings[1].MedianMs);
    }

    [Fact]
    public void ProbeOutputWithoutTimingsParsesToAnEmptyList()
    {
        var run = PyTorchBaseline.Parse($$$$"""{"torch": "1.13.0a0", "blas": "{{{{OpenBlasOpenMp}}}}"}""");

        Assert.Empty(run.Timings);
    }

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "OpenBLAS (pthreads)", false)]
    [InlineData("/usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3", "OpenBLAS (serial)", false)]
    [InlineData("/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3", "BLIS", false)]
    [InlineData("/opt/intel/mkl/lib/intel64/libmkl_rt.so", "MKL", false)]
    [InlineData("/usr/lib/x86_64-linux-gnu/atlas/libblas.so.3", "ATLAS", false)]
    [InlineData(Reference, "reference BLAS (netlib)", true)]
    [InlineData(null, "built-in (no shared BLAS loaded)", false)]
    public void EachDebianBlasAlternativeIsNamedAndOnlyTheReferenceOneIsFlagged(string? path, string name, bool reference)
    {
        Assert.Equal(name, PeerBlas.Describe(path));
        Assert.Equal(reference, PeerBlas.IsReference(path));
    }
}
