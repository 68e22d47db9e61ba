using System.Diagnostics;

namespace NoiseSam.Harness.Study;

/// <summary>Touches a <see cref="StudyClaim"/> from the thread that does the work (<see cref="StudyClaim.Heartbeat"/>).</summary>
public sealed class ClaimHeartbeat
{
    private readonly StudyClaim claim;
    private readonly TimeSpan interval;
    private readonly Action lost;
    private readonly Stopwatch sinceTouch = Stopwatch.StartNew();
    private bool fired;

    internal ClaimHeartbeat(StudyClaim claim, TimeSpan interval, Action lost)
    {
        ArgumentNullException.ThrowIfNull(lost);
        this.claim = claim;
        this.interval = interval;
        this.lost = lost;
    }

    /// <summary>Touches the claim if the interval has passed; returns false once the run was taken over.</summary>
    public bool Beat()
    {
        if (fired) return false;
        if (sinceTouch.Elapsed < interval) return true;
        sinceTouch.Restart();
        if (claim.Touch()) return true;
        fired = true;
        lost();
        return false;
    }
}
