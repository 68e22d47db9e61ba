using System;
using System.Threading;

namespace NoiseSam.Generators;

/// <summary>
/// A seam for the tests that prove a failure on one variant costs only that variant: a test sets
/// <see cref="OnStage"/> (flowing with its async context only) to throw at a stage for a class.
/// Null, and so free, everywhere else.
/// </summary>
internal static class TestHooks
{
    public const string ParseStage = "parse";
    public const string EmitStage = "emit";

    /// <summary>Called with (stage, class name) before each variant's parse and emission.</summary>
    public static readonly AsyncLocal<Action<string, string>?> OnStage = new();

    public static void Run(string stage, string className) => OnStage.Value?.Invoke(stage, className);
}
