// Linked into the generator and analyzers: the defaults every component agrees on.
namespace NoiseSam.Dsl;

/// <summary>Documented defaults of the DSL parameters (DESIGN.md §2, ALGORITHMS.md).</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
static class SamDefaults
{
    public const double Rho = 0.05;
    public const double Eta = 0.01;
    public const double Beta = 0.6;
    public const double MicroBatchFraction = 0.25;
    public const double DescentFraction = 0.5;
    public const double Sigma = 0.5;
    public const int K = 5;
    public const double Probability = 0.5;
    public const double Alpha = 0.7;
    public const double C = 1.0;
    public const double Delta = 0.9;
    public const double SgdLearningRate = 0.1;
    public const double AdamWLearningRate = 0.001;
    public const double Momentum = 0.9;
    public const double SgdWeightDecay = 5e-4;
    public const double AdamWWeightDecay = 0.01;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;
}
