namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// Eigenvalues and eigenvectors of a real symmetric tridiagonal matrix, in double precision, by
/// the QL algorithm with implicit Wilkinson shifts (EISPACK <c>tql2</c>, as in JAMA). The
/// matrices it is used on (the Lanczos T, at most a few hundred rows) are small: the O(n³) cost
/// of accumulating the eigenvectors is negligible next to one Hessian-vector product.
/// </summary>
internal static class TridiagonalEigen
{
    /// <summary>
    /// The eigen-decomposition T = V diag(values) Vᵀ of the n × n symmetric tridiagonal T with
    /// T[i, i] = <paramref name="diagonal"/>[i] and T[i, i+1] = T[i+1, i] = <paramref name="offDiagonal"/>[i].
    /// </summary>
    /// <returns>The eigenvalues in ascending order, and V with the unit eigenvector of values[j] in column j (Vectors[i, j] = component i).</returns>
    /// <exception cref="ArgumentException">The lengths do not fit (offDiagonal needs n − 1 entries), n = 0, or an entry is not finite.</exception>
    public static (double[] Values, double[,] Vectors) Solve(IReadOnlyList<double> diagonal, IReadOnlyList<double> offDiagonal)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        ArgumentNullException.ThrowIfNull(offDiagonal);
        int n = diagonal.Count;
        if (n == 0) throw new ArgumentException("an empty matrix", nameof(diagonal));
        if (offDiagonal.Count != n - 1)
            throw new ArgumentException($"a {n} × {n} tridiagonal matrix has {n - 1} off-diagonal entries, not {offDiagonal.Count}", nameof(offDiagonal));
        if (diagonal.Any(x => !double.IsFinite(x)) || offDiagonal.Any(x => !double.IsFinite(x)))
            throw new ArgumentException("every entry must be finite");

        var d = diagonal.ToArray();
        var e = new double[n];
        for (int i = 0; i < n - 1; i++) e[i] = offDiagonal[i];
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;

        double f = 0, tst1 = 0;
        double eps = Math.Pow(2, -52);
        int maxSweeps = 60 * n + 60;
        for (int l = 0; l < n; l++)
        {
            // Find a negligible subdiagonal element e[m] (e[n − 1] = 0 ends the search).
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * tst1) m++;
            if (m > l)
            {
                int sweeps = 0;
                do
                {
                    if (++sweeps > maxSweeps) throw new InvalidOperationException("the tridiagonal QL iteration did not converge");
                    // The implicit shift.
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Hypot(p, 1);
                    if (p < 0) r = -r;
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) d[i] -= h;
                    f += h;

                    // The implicit QL transformation, its rotations accumulated into V.
                    p = d[m];
                    double c = 1, c2 = c, c3 = c;
                    double el1 = e[l + 1];
                    double s = 0, s2 = 0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            h = v[k, i + 1];
                            v[k, i + 1] = s * v[k, i] + c * h;
                            v[k, i] = c * v[k, i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }

        // Sort ascending, the vectors with their values.
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++)
            {
                if (d[j] < p)
                {
                    k = j;
                    p = d[j];
                }
            }
            if (k == i) continue;
            d[k] = d[i];
            d[i] = p;
            for (int j = 0; j < n; j++) (v[j, i], v[j, k]) = (v[j, k], v[j, i]);
        }
        return (d, v);
    }

    /// <summary>√(a² + b²) without needless overflow or underflow.</summary>
    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }
}
