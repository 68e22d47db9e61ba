using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace NoiseSam.Generators.Tests.Helpers;

/// <summary>
/// A small approval helper (Verify is not served here): compares text with
/// <c>Snapshots/&lt;TestClass&gt;.&lt;Test&gt;.verified.cs</c> next to the test file, writes
/// <c>.received.cs</c> on a mismatch, and approves when <c>NOISESAM_ACCEPT=1</c>.
/// </summary>
internal static class ApprovalFile
{
    public static void Verify(string actual, string ext = "cs", string? suffix = null,
        [CallerFilePath] string testFile = "", [CallerMemberName] string test = "")
    {
        string dir = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string stem = $"{Path.GetFileNameWithoutExtension(testFile)}.{test}{(suffix is null ? "" : "_" + suffix)}";
        string verified = Path.Combine(dir, $"{stem}.verified.{ext}");
        string received = Path.Combine(dir, $"{stem}.received.{ext}");
        string normalized = Scrub(actual);
        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n") == normalized)
        {
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(dir);
        if (Environment.GetEnvironmentVariable("NOISESAM_ACCEPT") == "1")
        {
            File.WriteAllText(verified, normalized);
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, normalized);
        Assert.Fail($"Snapshot mismatch: diff {received} {verified} (set NOISESAM_ACCEPT=1 to approve).");
    }

    /// <summary>Line ends normalised, the generator version replaced by FIXED_VERSION.</summary>
    public static string Scrub(string text) => Regex.Replace(text.Replace("\r\n", "\n"),
        @"GeneratedCode\(""NoiseSam\.Dsl\.Generators"", ""[^""]+""\)",
        @"GeneratedCode(""NoiseSam.Dsl.Generators"", ""FIXED_VERSION"")");
}
