using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("NoiseSam.Harness.Tests")]
