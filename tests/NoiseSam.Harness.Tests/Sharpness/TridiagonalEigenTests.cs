using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>The host-side symmetric tridiagonal eigensolver of the Lanczos iteration, against eigvalsh in float64.</summary>
[Collection(TorchCollection.Name)]
public sealed class TridiagonalEigenTests
{
    private static Tensor Dense(double[] d, double[] e)
    {
        var t = torch.diag(torch.tensor(d, ScalarType.Float64));
        if (e.Length > 0)
        {
            var off = torch.tensor(e, ScalarType.Float64);
            t = t.add(torch.diag(off, 1)).add(torch.diag(off, -1));
        }
        return t;
    }

    private static void AssertDecomposition(double[] d, double[] e, string what)
    {
        using var scope = torch.NewDisposeScope();
        var (values, vectors) = TridiagonalEigen.Solve(d, e);
        int n = d.Length;
        var dense = Dense(d, e);
        double[] expected = torch.linalg.eigvalsh(dense).data<double>().ToArray(); // ascending
        double scale = Math.Max(1e-300, expected.Max(Math.Abs));
        Assert.Equal(n, values.Length);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-12 * scale, $"{what}: eigenvalue {i}: {values[i]} vs eigvalsh {expected[i]}");
        for (int i = 1; i < n; i++) Assert.True(values[i - 1] <= values[i], $"{what}: not ascending at {i}");

        // T V = V Λ and VᵀV = I.
        var flat = new double[n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) flat[r * n + c] = vectors[r, c];
        var v = torch.tensor(flat, ScalarType.Float64).reshape(n, n);
        double residual = dense.matmul(v).sub(v.matmul(torch.diag(torch.tensor(values, ScalarType.Float64)))).abs().max().item<double>();
        double orthogonality = v.t().matmul(v).sub(torch.eye(n, dtype: ScalarType.Float64)).abs().max().item<double>();
        Assert.True(residual <= 1e-12 * scale * n, $"{what}: ‖TV − VΛ‖ = {residual}");
        Assert.True(orthogonality <= 1e-12 * n, $"{what}: ‖VᵀV − I‖ = {orthogonality}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(40)]
    [InlineData(120)]
    public void RandomTridiagonalsMatchEigvalsh(int n)
    {
        var random = new Random(1000 + n);
        for (int trial = 0; trial < 5; trial++)
        {
            double[] d = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 20 - 10).ToArray();
            double[] e = Enumerable.Range(0, n - 1).Select(_ => random.NextDouble() * 6 - 3).ToArray();
            AssertDecomposition(d, e, $"n = {n}, trial {trial}");
        }
    }

    [Fact]
    public void SplitMatricesRepeatedEigenvaluesAndTinyScalesAreSolved()
    {
        // Zero off-diagonals split T into blocks; equal diagonals give repeated eigenvalues.
        AssertDecomposition([2, 2, 2, 2, 2], [0, 0, 0, 0], "2·I");
        AssertDecomposition([1, 3, -4, 3, 1, 0.5], [0.5, 0, 2, 0, 1e-20], "split");
        AssertDecomposition([0, 0, 0], [1, 1], "zero diagonal");
        AssertDecomposition([0, 0, 0, 0], [0, 0, 0], "zero");
        // The Lanczos T of a Hessian with a cluster: nearly equal entries at a scale of 1e-6.
        AssertDecomposition([1e-6, 1.000001e-6, 0.999999e-6, 1e-6], [1e-9, 1e-12, 1e-9], "tiny cluster");
        AssertDecomposition([1e8, -3, 7e-3, 2], [4e3, 1e-5, 0.2], "graded");
    }

    [Fact]
    public void BadShapesAndNonFiniteEntriesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => TridiagonalEigen.Solve([], []));
        Assert.Throws<ArgumentException>(() => TridiagonalEigen.Solve([1, 2], []));
        Assert.Throws<ArgumentException>(() => TridiagonalEigen.Solve([1, 2], [1, 2]));
        Assert.Throws<ArgumentException>(() => TridiagonalEigen.Solve([1, double.NaN], [1]));
        Assert.Throws<ArgumentException>(() => TridiagonalEigen.Solve([1, 2], [double.PositiveInfinity]));
    }
}
