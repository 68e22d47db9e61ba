using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using NoiseSam.Cli;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>
/// The CLI as a separate process (<c>dotnet NoiseSam.Cli.dll</c>), for what one process cannot show
/// about itself: a second run on a held folder, a signal, a kill. Waits have no time limit: each
/// waits for a line of the child's output or for the child to end, whichever comes first, so a
/// slow machine only makes them slower.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly BlockingCollection<string?> lines = new();
    private readonly StringBuilder output = new();

    public CliProcess(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Receive(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => process.Id;

    /// <summary>Everything the child wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    /// <summary>Waits for a stdout line containing <paramref name="fragment"/>; fails if the child ends first.</summary>
    public string WaitForLine(string fragment)
    {
        foreach (string? line in lines.GetConsumingEnumerable())
        {
            if (line is null) break;
            if (line.Contains(fragment, StringComparison.Ordinal)) return line;
        }
        process.WaitForExit();
        Assert.Fail($"the child ended (exit {process.ExitCode}) before printing '{fragment}':\n{Output}");
        return "";
    }

    /// <summary>Sends a signal (e.g. "TERM") with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills the child at once (SIGKILL, like kill -9) and waits until it is gone.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>Waits for the child to end; returns its exit code.</summary>
    public int WaitForExit()
    {
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();   // also drains the output readers
        process.Dispose();
        lines.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is not null) lock (output) output.AppendLine(line);
        if (!lines.IsAddingCompleted)
        {
            lines.Add(line);
            if (line is null) lines.CompleteAdding();
        }
    }
}
