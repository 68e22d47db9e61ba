using System.Runtime.CompilerServices;

// Kernel statistics that only tests read (AE-SAM's running moments, ESAM-SWP's tensor mask).
[assembly: InternalsVisibleTo("NoiseSam.Tests")]
