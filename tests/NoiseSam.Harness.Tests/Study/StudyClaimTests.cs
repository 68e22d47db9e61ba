using System.Diagnostics;
using System.Text.Json;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.Study;

public sealed class StudyClaimTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    public void OneProcessHoldsARunAndASecondClaimIsRefused()
    {
        using var dir = new ScratchDir();
        using var claim = StudyClaim.TryAcquire(dir.Path, Timeout, "0/2", out var holder);
        Assert.NotNull(claim);
        Assert.Null(holder);
        Assert.True(claim.IsHeld);
        Assert.Equal(Path.Combine(dir.Path, "claim-0.json"), claim.Path);

        // This process is alive: its claim is not stale, even to itself.
        Assert.Null(StudyClaim.TryAcquire(dir.Path, Timeout, "1/2", out var other));
        Assert.NotNull(other);
        Assert.Equal(Environment.ProcessId, other.Pid);
        Assert.Equal("0/2", other.Shard);
        Assert.NotNull(StudyClaim.LiveHolder(dir.Path, Timeout));
    }

    [Fact]
    public void AClaimOfADeadProcessOnThisMachineIsTakenOverAtOnce()
    {
        using var dir = new ScratchDir();
        WriteClaim(dir.Path, 0, new StudyClaimInfo(Environment.MachineName, DeadPid(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow, null, null));
        using var claim = StudyClaim.TryAcquire(dir.Path, Timeout, null, out _);
        Assert.NotNull(claim);
        Assert.Equal(1, claim.Generation);
        Assert.True(claim.IsHeld);
        claim.Complete();
        Assert.Empty(Directory.GetFiles(dir.Path, "claim-*"));
    }

    [Fact]
    public void AClaimFromAnotherMachineLivesUntilItHasNotBeenTouchedForTheTimeout()
    {
        using var dir = new ScratchDir();
        string path = WriteClaim(dir.Path, 0, new StudyClaimInfo("some-other-node", 4242, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "1/4", "Slurm job 7_1"));
        Assert.Null(StudyClaim.TryAcquire(dir.Path, Timeout, null, out var holder));
        Assert.Equal("some-other-node", holder!.Host);
        Assert.Contains("Slurm job 7_1", holder.ToString(), StringComparison.Ordinal);

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromMinutes(11));
        Assert.Null(StudyClaim.LiveHolder(dir.Path, Timeout));
        using var claim = StudyClaim.TryAcquire(dir.Path, Timeout, null, out _);
        Assert.NotNull(claim);
        Assert.Equal(1, claim.Generation);
    }

    [Fact]
    public void AHolderWhoseRunWasTakenOverNoticesAtItsNextTouch()
    {
        using var dir = new ScratchDir();
        using var mine = StudyClaim.TryAcquire(dir.Path, Timeout, null, out _)!;
        Assert.True(mine.Touch());
        // Another machine decided this process was dead and claimed generation 1.
        WriteClaim(dir.Path, 1, new StudyClaimInfo("some-other-node", 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null));
        Assert.False(mine.IsHeld);
        Assert.False(mine.Touch());

        int lost = 0;
        var heartbeat = mine.Heartbeat(TimeSpan.Zero, () => lost++);
        Assert.False(heartbeat.Beat());
        Assert.False(heartbeat.Beat());
        Assert.Equal(1, lost);
        mine.Release();
        Assert.Equal(["claim-1.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AHeartbeatTouchesTheClaimOnlyOnceItsIntervalHasPassed()
    {
        using var dir = new ScratchDir();
        using var mine = StudyClaim.TryAcquire(dir.Path, Timeout, null, out _)!;
        var old = DateTime.UtcNow - TimeSpan.FromHours(1);
        File.SetLastWriteTimeUtc(mine.Path, old);
        Assert.True(mine.Heartbeat(TimeSpan.FromHours(1), () => Assert.Fail("not lost")).Beat());
        Assert.True(File.GetLastWriteTimeUtc(mine.Path) < old + TimeSpan.FromSeconds(1));
        Assert.True(mine.Heartbeat(TimeSpan.Zero, () => Assert.Fail("not lost")).Beat());
        Assert.True(File.GetLastWriteTimeUtc(mine.Path) > old + TimeSpan.FromMinutes(59));
    }

    [Fact]
    public void AHalfWrittenClaimCountsAsLiveUntilTheTimeout()
    {
        using var dir = new ScratchDir();
        string path = Path.Combine(dir.Path, "claim-0.json");
        File.WriteAllText(path, "");
        Assert.Null(StudyClaim.TryAcquire(dir.Path, Timeout, null, out _));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromHours(1));
        using var claim = StudyClaim.TryAcquire(dir.Path, Timeout, null, out _);
        Assert.NotNull(claim);
    }

    private static string WriteClaim(string dir, int generation, StudyClaimInfo info)
    {
        string path = Path.Combine(dir, $"claim-{generation}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(info, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        return path;
    }

    /// <summary>The pid of a process that has exited.</summary>
    internal static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
