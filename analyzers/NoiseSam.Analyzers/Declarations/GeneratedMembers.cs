namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// What the generator adds to a variant class, in one list shared by the emitter (which writes these
/// names) and the shape check (which reserves them, NSAM016): they cannot drift apart.
/// </summary>
internal static class GeneratedMembers
{
    /// <summary>The tool name of the <c>[GeneratedCode]</c> attribute on every generated member.</summary>
    public const string Tool = "NoiseSam.Dsl.Generators";

    public const string Core = "_core";
    public const string Descriptor = "Descriptor";
    public const string Step = "Step";
    public const string LearningRate = "LearningRate";
    public const string RhoScale = "RhoScale";
    public const string StepCount = "StepCount";
    public const string AsOptimizer = "AsOptimizer";
    public const string SaveState = "SaveState";
    public const string LoadState = "LoadState";
    public const string Dispose = "Dispose";

    /// <summary>The model type of the generated constructor, as <c>ITypeSymbol.ToDisplayString()</c> writes it.</summary>
    public const string ModelType = "TorchSharp.torch.nn.Module";

    /// <summary>The prefix of the <c>[ModuleInitializer]</c> that registers a variant.</summary>
    public const string RegistrationPrefix = "__RegisterSamVariant_";

    /// <summary>The method a Custom schedule calls; the user writes its body, the generator may write its defining declaration.</summary>
    public const string ShouldPerturb = "ShouldPerturb";

    /// <summary>Every member name the generator adds to the class (the ShouldPerturb hook excepted: the user owns it).</summary>
    public static readonly string[] Reserved = { Core, Descriptor, Step, LearningRate, RhoScale, StepCount, AsOptimizer, SaveState, LoadState, Dispose };
}
