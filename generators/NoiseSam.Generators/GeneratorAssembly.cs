namespace NoiseSam.Generators; internal static class GeneratorAssembly { }
