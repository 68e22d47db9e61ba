namespace NoiseSam.Dsl;

/// <summary>The ascent gradient is computed on a micro-batch: a fraction of the batch.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MicroBatchAttribute : Attribute
{
    /// <summary>Fraction f of the batch used for the ascent gradient, in (0, 1]. Default 0.25.</summary>
    public double Fraction { get; set; } = SamDefaults.MicroBatchFraction;

    /// <summary>Which samples form the micro-batch. Default <see cref="MicroBatchSelection.Random"/>.</summary>
    public MicroBatchSelection Selection { get; set; } = MicroBatchSelection.Random;

    /// <summary>Fraction at the end of training, in (0, 1]; NaN (the default) means "same as <see cref="Fraction"/>".</summary>
    public double FinalFraction { get; set; } = double.NaN;

    /// <summary>How the fraction moves from <see cref="Fraction"/> to <see cref="FinalFraction"/>. Default constant.</summary>
    public FractionSchedule FractionSchedule { get; set; } = FractionSchedule.Constant;
}
