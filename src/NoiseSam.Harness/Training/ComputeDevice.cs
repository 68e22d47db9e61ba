using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Training;

/// <summary>Parses a device name ("cpu", "cuda", "cuda:N") and checks that this build can use it.</summary>
public static class ComputeDevice
{
    public const string Cpu = "cpu";

    /// <exception cref="ArgumentException">Unknown name, or CUDA not available to this build (the message says how to switch).</exception>
    public static Device Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == Cpu) return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (n.Length > 4 && !int.TryParse(n.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
                throw new ArgumentException($"device '{name}': expected cuda:<index>, e.g. cuda:0");
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{name}': CUDA is not available to this build (it uses the CPU libtorch, libtorch-cpu-linux-x64); " +
                    "docs/gpu.md shows how to switch a project to TorchSharp-cuda-linux");
            int count = torch.cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"device '{name}': this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{name}'; use cpu, cuda or cuda:<index>");
    }
}
