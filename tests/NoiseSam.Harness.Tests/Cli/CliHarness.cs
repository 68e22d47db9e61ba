using NoiseSam.Cli;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>Runs the CLI in-process through its entry point and captures stdout and stderr.</summary>
public static class CliHarness
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
    }

    public static Result Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The CLI's answer to a fault: the exit code, one line on stderr starting with "noisesam: ", no stack trace, every fragment in it.</summary>
    public static void AssertOneLineError(Result r, int code, params string[] fragments)
    {
        Assert.True(r.ExitCode == code, r.ToString());
        string err = r.Error.Trim();
        Assert.False(string.IsNullOrEmpty(err), r.ToString());
        Assert.DoesNotContain("\n", err);
        Assert.StartsWith("noisesam: ", err);
        Assert.DoesNotContain("   at ", r.Error + r.Out);
        Assert.DoesNotContain("Exception", err);
        foreach (string f in fragments) Assert.Contains(f, err);
    }

    /// <summary>The common arguments of a tiny training run (a few hundred Fashion-MNIST samples).</summary>
    public static string[] Tiny(int train = 256, int test = 200, int batch = 64) =>
        ["--train-limit", train.ToString(), "--test-limit", test.ToString(), "--batch-size", batch.ToString(), "--threads", "2"];
}

/// <summary>A temporary directory removed at dispose.</summary>
public sealed class ScratchDir : IDisposable
{
    public ScratchDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "noisesam-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
