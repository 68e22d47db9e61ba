namespace NoiseSam.Analyzers; internal static class AnalyzerAssembly { }
