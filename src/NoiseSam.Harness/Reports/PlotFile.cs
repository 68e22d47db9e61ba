using ScottPlot;

namespace NoiseSam.Harness.Reports;

/// <summary>Saves plots through <see cref="IO.AtomicFile"/>: a full disk or a crash never leaves half a PNG.</summary>
public static class PlotFile
{
    /// <summary>Renders <paramref name="plot"/> to PNG and puts it at <paramref name="path"/> atomically; returns the path.</summary>
    public static string Save(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        IO.AtomicFile.WriteAllBytes(path, png);
        return path;
    }
}
