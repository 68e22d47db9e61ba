namespace NoiseSam.Harness; internal static class HarnessAssembly { }
