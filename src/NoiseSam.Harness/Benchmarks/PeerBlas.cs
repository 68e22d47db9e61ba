namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// Names the BLAS library the PyTorch peer loaded, from its path. Debian's python3-torch is built
/// against the generic libblas.so.3 and calls whichever implementation the alternatives system
/// points to; without an optimised one installed that is the reference (netlib) BLAS, whose matrix
/// products are 15–25× slower than libtorch's on this project's models (a 128×784 by 784×256
/// product: 14.5 ms against 0.9 ms with OpenBLAS). A peer timed on it measures the BLAS, not the
/// SAM step, so <see cref="PyTorchBaseline"/> refuses it.
/// </summary>
public static class PeerBlas
{
    /// <summary>What to install so that Debian's libblas.so.3 alternative points to an optimised BLAS.</summary>
    public const string Package = "libopenblas0-openmp";

    /// <summary>True when <paramref name="path"/> is Debian's reference BLAS (package libblas3).</summary>
    public static bool IsReference(string? path) =>
        path is not null && path.Replace('\\', '/').Contains("/blas/libblas.so", StringComparison.Ordinal);

    /// <summary>A short name for the report: "OpenBLAS (OpenMP)", "reference BLAS (netlib)", … .</summary>
    public static string Describe(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "built-in (no shared BLAS loaded)";
        string p = path.Replace('\\', '/');
        if (IsReference(p)) return "reference BLAS (netlib)";
        if (p.Contains("/openblas-openmp/", StringComparison.Ordinal)) return "OpenBLAS (OpenMP)";
        if (p.Contains("/openblas-pthread/", StringComparison.Ordinal)) return "OpenBLAS (pthreads)";
        if (p.Contains("/openblas-serial/", StringComparison.Ordinal)) return "OpenBLAS (serial)";
        if (p.Contains("openblas", StringComparison.OrdinalIgnoreCase)) return "OpenBLAS";
        if (p.Contains("blis", StringComparison.OrdinalIgnoreCase)) return "BLIS";
        if (p.Contains("mkl", StringComparison.OrdinalIgnoreCase)) return "MKL";
        if (p.Contains("atlas", StringComparison.OrdinalIgnoreCase)) return "ATLAS";
        return Path.GetFileName(p);
    }

    /// <summary>The one-line refusal for a peer on the reference BLAS, naming the fix.</summary>
    public static string ReferenceRefusal(string path) =>
        $"the PyTorch peer would time Debian's reference BLAS ({path}), whose matrix products are 15–25× slower than " +
        $"libtorch's, not the SAM step: install an optimised BLAS with `sudo apt-get install {Package}` " +
        "(Debian's libblas.so.3 alternative then points to it; bench/pytorch/ensure-peer.sh does both)";
}
