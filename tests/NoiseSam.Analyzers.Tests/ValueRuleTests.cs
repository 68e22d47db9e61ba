using NoiseSam.Analyzers.Diagnostics.Analyzers;
using NoiseSam.Analyzers.Tests.Helpers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// The value rules (NSAM003–007, 009–011, 014, 015, 018, 019): for each, failing declarations with the exact
/// span of the squiggle, boundary declarations that must not report, and the full message.
/// </summary>
public class ValueRuleTests
{
    private static Task Run(string attributes) =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(TestSource.Class(attributes));

    // ---- NSAM003: Rho, Eta, Beta ------------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = 0|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = -0.05|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = double.NaN|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = double.PositiveInfinity|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = double.MaxValue|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = 1e300|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM003:Rho = 100.5|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Adaptive, {|NSAM003:Eta = -0.01|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, {|NSAM003:Beta = 0|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, {|NSAM003:Beta = 1.5|})]""")]
    public Task Nsam003ReportsOutOfRangePerturbationParameters(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X", Rho = 1e-9)]""")]
    [InlineData("""[SamVariant("X", Rho = 0.05)]""")]
    [InlineData("""[SamVariant("X", Rho = 100)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Adaptive, Eta = 0)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, Beta = 1)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, Beta = 1e-6)]""")]
    public Task Nsam003AcceptsBoundaryValues(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam003MessageNamesAttributeArgumentValueAndRange() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("NI-MBS", {|#0:Rho = -1|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM003", 0,
                "Variant 'NI-MBS': [SamVariant(Rho = -1)] must be a finite number > 0; use a value such as 0.05"));

    [Fact]
    public Task Nsam003_message_for_a_radius_that_overflows_every_step() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("Big", {|#0:Rho = 1e6|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM003", 0,
                "Variant 'Big': [SamVariant(Rho = 1000000)] must be at most 100: the weights move by ‖ε‖ = Rho, and radii far above that overflow every step (skipped); use a value such as 0.05 (ASAM: 0.5–2)"));

    // ---- NSAM004: fractions in (0, 1] ---------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM004:Fraction = 1.5|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM004:Fraction = 0|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM004:Fraction = -0.25|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM004:Fraction = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM004:Fraction = 1.0000001|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 0.5, {|NSAM004:FinalFraction = 2|}, FractionSchedule = FractionSchedule.Linear)]""")]
    [InlineData("""[SamVariant("X")] [DescentSelection(DescentSet.SharpnessSensitive, {|NSAM004:Fraction = 0|})]""")]
    [InlineData("""[SamVariant("X")] [DescentSelection(DescentSet.SharpnessSensitive, {|NSAM004:Fraction = double.PositiveInfinity|})]""")]
    public Task Nsam004ReportsFractionsOutsideZeroOne(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 1)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 1e-6)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 0.5, FinalFraction = 1, FractionSchedule = FractionSchedule.Cosine)]""")]
    [InlineData("""[SamVariant("X")] [DescentSelection(DescentSet.SharpnessSensitive, Fraction = 1)]""")]
    public Task Nsam004AcceptsBoundaryValues(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam004MessageNamesAttributeArgumentValueAndRange() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("MBS")] [MicroBatch({|#0:Fraction = 1.5|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM004", 0,
                "Variant 'MBS': [MicroBatch(Fraction = 1.5)] must be in (0, 1]; use a value such as 0.25"));

    // ---- NSAM005 / NSAM006: Sigma -------------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, {|NSAM005:Sigma = -0.5|})]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Uniform, {|NSAM005:Sigma = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Rademacher, {|NSAM005:Sigma = double.PositiveInfinity|})]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, {|NSAM005:Sigma = double.NegativeInfinity|})]""")]
    public Task Nsam005ReportsInvalidSigma(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, Sigma = 1e-12)]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, Sigma = 1e6)]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian)]""")]
    public Task Nsam005AcceptsBoundaryValues(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, {|NSAM006:Sigma = 0|})]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Uniform, {|NSAM006:Sigma = 0.0|}, Scaling = NoiseScaling.Absolute)]""")]
    public Task Nsam006WarnsOnZeroSigmaAndNotNsam005(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam006MessageAndSeverity() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, {|#0:Sigma = 0|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM006", 0,
                "Variant 'X': [Noise(Sigma = 0)] adds no noise; remove the [Noise] attribute or use Sigma > 0")
                .WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));

    // ---- NSAM007: schedule parameters ---------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.EveryK, {|NSAM007:K = 0|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam, {|NSAM007:K = -3|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = 1.5|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = -0.1|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam, {|NSAM007:Alpha = -1|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive, {|NSAM007:C = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive, {|NSAM007:Delta = 1|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive, {|NSAM007:Delta = -0.5|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Always, {|NSAM007:K = 5|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.EveryK, K = 2, {|NSAM007:Probability = 0.5|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Alpha = 0.7|}, {|NSAM007:C = 1|}, {|NSAM007:Delta = 0.9|})]""")]
    public Task Nsam007ReportsInvalidOrForeignScheduleParameters(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, Probability = 0)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Bernoulli, Probability = 1)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.EveryK, K = 1)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam, K = 1, Alpha = 0)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive, C = -1e9, Delta = 0)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive, Delta = 0.999999)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Always)]""")]
    public Task Nsam007AcceptsBoundaryValues(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam007MessagesForRangeAndForAnotherPolicy() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("SS-SAM")] [Schedule(SchedulePolicy.Bernoulli, {|#0:Probability = 1.5|}, {|#1:K = 3|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM007", 1,
                "Variant 'SS-SAM': [Schedule(SchedulePolicy.Bernoulli, K = ...)]: K only applies to SchedulePolicy.EveryK or SchedulePolicy.LookSam; remove K or change the policy"),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM007", 0,
                "Variant 'SS-SAM': [Schedule(Probability = 1.5)] must be in [0, 1]; use a value such as 0.5"));

    // ---- NSAM009: selections and schedules that cannot matter ---------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 1, {|NSAM009:Selection = MicroBatchSelection.TopLoss|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM009:FractionSchedule = FractionSchedule.Linear|})]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch({|NSAM009:FinalFraction = 0.1|})]""")]
    [InlineData("""[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, {|NSAM009:Scaling = NoiseScaling.MicroBatch|})]""")]
    [InlineData("""[SamVariant("X")] [{|NSAM009:DescentSelection(DescentSet.SameAsAscent)|}]""")]
    [InlineData("""[SamVariant("X")] [DescentSelection(DescentSet.All, {|NSAM009:Fraction = 0.5|})]""")]
    public Task Nsam009WarnsOnArgumentsThatCannotMatter(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.TopLoss)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 1, FinalFraction = 0.5, FractionSchedule = FractionSchedule.Linear, Selection = MicroBatchSelection.Head)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Selection = MicroBatchSelection.TopLoss)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(FractionSchedule = FractionSchedule.Constant)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch] [Noise(NoiseDistribution.Gaussian, Scaling = NoiseScaling.MicroBatch)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch] [DescentSelection(DescentSet.SameAsAscent)]""")]
    [InlineData("""[SamVariant("X")] [DescentSelection(DescentSet.SharpnessSensitive, Fraction = 0.5)]""")]
    public Task Nsam009AcceptsArgumentsThatMatter(string attributes) => Run(attributes);

    // ---- NSAM010: Never schedule with SAM-only attributes -------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)] [{|NSAM010:MicroBatch(Fraction = 0.5)|}]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)] [{|NSAM010:Noise(NoiseDistribution.Gaussian)|}]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)] [{|NSAM010:MicroBatch|}, {|NSAM010:Noise(NoiseDistribution.Gaussian)|}] [{|NSAM010:DescentSelection(DescentSet.SharpnessSensitive)|}]""")]
    public Task Nsam010WarnsOnSamOnlyAttributesWithNever(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)] [BaseOptimizer(OptimizerKind.AdamW)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Always)] [MicroBatch(Fraction = 0.5)] [Noise(NoiseDistribution.Gaussian)]""")]
    public Task Nsam010AcceptsNeverWithoutSamOnlyAttributes(string attributes) => Run(attributes);

    // ---- NSAM011: perturbation parameter for another perturbation -----------------------------

    [Theory]
    [InlineData("""[SamVariant("X", {|NSAM011:Eta = 0.01|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, {|NSAM011:Eta = 0.01|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Adaptive, {|NSAM011:Beta = 0.6|})]""")]
    [InlineData("""[SamVariant("X", {|NSAM011:Beta = 0.6|})]""")]
    public Task Nsam011ReportsParametersOfAnotherPerturbation(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Adaptive, Eta = 0.01)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Sam)]""")]
    public Task Nsam011AcceptsMatchingParameters(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam011WithBadValueReportsBothRangeAndKind() => Run(
        """[SamVariant("X", {|NSAM003:{|NSAM011:Eta = -1|}|})]""");

    // ---- NSAM014: incompatible combinations ---------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam)] [{|NSAM014:DescentSelection(DescentSet.SharpnessSensitive)|}]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.TopLoss)] [{|NSAM014:DescentSelection(DescentSet.SharpnessSensitive)|}]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, Momentum = 0, {|NSAM014:Nesterov = true|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM014:Beta1 = 0.9|}, {|NSAM014:Epsilon = 1e-8|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|NSAM014:Momentum = 0.9|}, {|NSAM014:Nesterov = false|})]""")]
    [InlineData("""[SamVariant("X")] [{|NSAM014:Accumulation(4)|}] [MicroBatch(Fraction = 0.5)]""")]
    [InlineData("""[SamVariant("X")] [{|NSAM014:Accumulation(4)|}] [DescentSelection(DescentSet.SharpnessSensitive)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam)] [Accumulation(4, {|NSAM014:Ascent = AccumulationAscent.PerChunk|})]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Adaptive)] [Accumulation(4, {|NSAM014:Ascent = AccumulationAscent.PerChunk|})]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight)] [Accumulation(4, {|NSAM014:Ascent = AccumulationAscent.PerChunk|})]""")]
    public Task Nsam014ReportsIncompatibleCombinations(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam014ReportsUndefinedEnumValuesOnTheArgumentOrTheAttribute() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""
                [SamVariant("X", {|#0:Perturbation = (PerturbationKind)7|})]
                [{|#1:Schedule((SchedulePolicy)42)|}]
                [MicroBatch(Fraction = 0.5, {|#2:Selection = (MicroBatchSelection)(-1)|})]
                """),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM014", 0,
                "Variant 'X': [SamVariant] PerturbationKind value 7 is not defined; use one of Sam, Adaptive, StochasticWeight"),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM014", 2,
                "Variant 'X': [MicroBatch] MicroBatchSelection value -1 is not defined; use one of Head, Random, TopLoss"),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM014", 1,
                "Variant 'X': [Schedule] SchedulePolicy value 42 is not defined; use one of Always, Never, EveryK, Bernoulli, Adaptive, LookSam, Custom"));

    [Theory]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.EveryK)] [DescentSelection(DescentSet.SharpnessSensitive)]""")]
    [InlineData("""[SamVariant("X")] [MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.TopLoss)] [DescentSelection(DescentSet.SameAsAscent)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, Momentum = 0.9, Nesterov = true)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, Nesterov = true)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, Momentum = 0, Nesterov = false)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.LookSam)] [Accumulation(4)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.StochasticWeight)] [Accumulation(4)]""")]
    [InlineData("""[SamVariant("X", Perturbation = PerturbationKind.Adaptive)] [Noise(NoiseDistribution.Gaussian)] [Schedule(SchedulePolicy.Bernoulli)] [Accumulation(4, Ascent = AccumulationAscent.PerChunk)]""")]
    public Task Nsam014AcceptsCompatibleCombinations(string attributes) => Run(attributes);

    // ---- NSAM015: base-optimizer parameters ---------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM015:LearningRate = 0|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|NSAM015:LearningRate = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM015:WeightDecay = -1e-4|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM015:Momentum = 1|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|NSAM015:Beta1 = 1|}, {|NSAM015:Beta2 = -0.1|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|NSAM015:Epsilon = 0|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM015:MaxGradNorm = -1|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|NSAM015:MaxGradNorm = double.PositiveInfinity|})]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|NSAM015:MaxGradNorm = double.NaN|})]""")]
    public Task Nsam015ReportsOutOfRangeOptimizerParameters(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, LearningRate = 1e-12, Momentum = 0, WeightDecay = 0)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, Beta1 = 0, Beta2 = 0.999999, Epsilon = 1e-300, WeightDecay = 0)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, MaxGradNorm = 0)]""")]
    [InlineData("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, MaxGradNorm = 1e-9, NoDecayOnBiasAndNorm = true)]""")]
    public Task Nsam015AcceptsBoundaryValues(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam015Message() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.AdamW, {|#0:LearningRate = 0|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM015", 0,
                "Variant 'X': [BaseOptimizer(LearningRate = 0)] must be a finite number > 0; use a value such as 0.001"));

    [Fact]
    public Task Nsam015MaxGradNormMessage() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, {|#0:MaxGradNorm = -2|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM015", 0,
                "Variant 'X': [BaseOptimizer(MaxGradNorm = -2)] must be a finite number >= 0 (0 = no clipping); use a value such as 1"));

    [Fact]
    public Task Nsam009WarnsOnNoDecayWithoutWeightDecay() => Run(
        """[SamVariant("X")] [BaseOptimizer(OptimizerKind.Sgd, WeightDecay = 0, {|NSAM009:NoDecayOnBiasAndNorm = true|})]""");

    // ---- NSAM018: accumulation chunks ---------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [Accumulation({|NSAM018:0|})]""")]
    [InlineData("""[SamVariant("X")] [Accumulation({|NSAM018:-4|}, Ascent = AccumulationAscent.PerChunk)]""")]
    [InlineData("""[SamVariant("X")] [Accumulation({|NSAM018:chunks: 0|})]""")]
    public Task Nsam018ReportsFewerThanOneChunk(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [Accumulation(1)]""")]
    [InlineData("""[SamVariant("X")] [Accumulation(64, Ascent = AccumulationAscent.PerChunk)]""")]
    [InlineData("""[SamVariant("X")] [Schedule(SchedulePolicy.Never)] [Accumulation(2)]""")]
    public Task Nsam018AcceptsOneChunkOrMore(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam018Message() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("X")] [Accumulation({|#0:0|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM018", 0,
                "Variant 'X': [Accumulation(0)] must split the batch into at least 1 chunk; use a value such as 4"));

    // ---- NSAM019: parameter groups ------------------------------------------------------------

    [Theory]
    [InlineData("""[SamVariant("X")] [ParameterGroup({|NSAM019:""|})]""")]
    [InlineData("""[SamVariant("X")] [ParameterGroup({|NSAM019:null|}, LearningRateScale = 2)]""")]
    [InlineData("""[SamVariant("X")] [ParameterGroup("fc.", {|NSAM019:LearningRateScale = 0|})]""")]
    [InlineData("""[SamVariant("X")] [ParameterGroup("fc.", {|NSAM019:LearningRateScale = double.NaN|})]""")]
    [InlineData("""[SamVariant("X")] [ParameterGroup("fc.", LearningRateScale = 2)] [{|NSAM019:ParameterGroup("fc.", LearningRateScale = 3)|}]""")]
    public Task Nsam019ReportsInvalidGroups(string attributes) => Run(attributes);

    [Theory]
    [InlineData("""[SamVariant("X")] [ParameterGroup("fc.")]""")]
    [InlineData("""[SamVariant("X")] [ParameterGroup("backbone.", LearningRateScale = 0.1)] [ParameterGroup("backbone.layer4.", LearningRateScale = 0.5)] [ParameterGroup("head.", LearningRateScale = 10)]""")]
    public Task Nsam019AcceptsDistinctPrefixesWithPositiveScales(string attributes) => Run(attributes);

    [Fact]
    public Task Nsam019MessageNamesTheGroup() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>(
            TestSource.Class("""[SamVariant("X")] [ParameterGroup("backbone.", {|#0:LearningRateScale = -0.1|})]"""),
            Verifier.Diagnostic<SamDeclarationValueAnalyzer>("NSAM019", 0,
                "Variant 'X': [ParameterGroup(\"backbone.\", LearningRateScale = -0.1)] must be a finite number > 0; use a value such as 0.1 (to freeze parameters, set requires_grad = false before building the step)"));

    // ---- general ------------------------------------------------------------------------------

    [Fact]
    public Task ThePaperDeclarationIsClean() => Run("""
        [SamVariant("NI-MBS", Rho = 0.05)]
        [MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
        [Noise(NoiseDistribution.Gaussian, Sigma = 0.5, Scaling = NoiseScaling.GradientNorm)]
        [Schedule(SchedulePolicy.Always)]
        [BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4)]
        """);

    [Fact]
    public Task FullyQualifiedAttributeNamesAreRecognised() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>("""
            [NoiseSam.Dsl.SamVariantAttribute("X")]
            [NoiseSam.Dsl.MicroBatch({|NSAM004:Fraction = 2|})]
            public partial class Variant { }
            """);

    [Fact]
    public Task AttributesSplitOverPartialDeclarationsAreReadTogether() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>("""
            using NoiseSam.Dsl;

            [SamVariant("X")]
            public partial class Variant { }

            [Schedule(SchedulePolicy.Never)]
            [{|NSAM010:Noise(NoiseDistribution.Gaussian)|}]
            public partial class Variant { }
            """);

    [Fact]
    public Task GeneratedCodeIsAnalyzedTooBecauseTheGeneratorSkipsItAsWell() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>("""
            // <auto-generated/>
            using NoiseSam.Dsl;

            [SamVariant("X", {|NSAM003:Rho = -1|})]
            public partial class Variant { }
            """);

    [Fact]
    public Task ADeclarationInAFileNamedLikeGeneratedCodeIsAnalyzed() =>
        new NoiseSamAnalyzerTest<SamDeclarationValueAnalyzer>("")
        {
            TestState = { Sources = { ("Variants.g.cs", """
                using NoiseSam.Dsl;

                [SamVariant("X")]
                [MicroBatch({|NSAM004:Fraction = 2|})]
                public partial class Variant { }
                """) } },
        }.RunAsync();

    [Fact]
    public Task AClassWithoutSamVariantIsNotCheckedForValues() =>
        Verifier.AnalyzerAsync<SamDeclarationValueAnalyzer>("""
            using NoiseSam.Dsl;

            [MicroBatch(Fraction = 2)]
            public class Plain { }
            """);
}
