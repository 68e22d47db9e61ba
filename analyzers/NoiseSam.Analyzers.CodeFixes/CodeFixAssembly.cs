namespace NoiseSam.Analyzers.CodeFixes; internal static class CodeFixAssembly { }
