using System.CommandLine;
using System.Globalization;
using NoiseSam.Harness.Study;

namespace NoiseSam.Cli.Commands;

/// <summary><c>--shard i/n</c> and <c>--claim-timeout</c> of <c>study</c> and <c>tune</c> (docs/scale-out.md).</summary>
internal sealed class ShardArguments
{
    public Option<string?> Shard { get; } = new("--shard")
    {
        Description = "Work on shard i of n of the runs first (round robin over the plan), then help with runs nobody has claimed. " +
                      "Default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with " + StudyShard.CountVariable +
                      " (Kubernetes Indexed Job); 'off' for the whole plan. A shard trains (and measures each run); the report runs once, without --shard.",
        HelpName = "i/n|off",
    };

    public Option<double> ClaimTimeout { get; } = new("--claim-timeout")
    {
        Description = "Minutes after which a run claimed by a process on another machine that shows no sign of life is taken over " +
                      "(a dead process on this machine is noticed at once).",
        DefaultValueFactory = _ => StudyClaim.DefaultTimeout.TotalMinutes,
        HelpName = "minutes",
    };

    public IEnumerable<Option> All => [Shard, ClaimTimeout];

    /// <summary>The shard to work on: --shard, else the job array's environment, else the whole plan.</summary>
    public StudyShard ReadShard(ParseResult parse)
    {
        try
        {
            return parse.GetValue(Shard)?.Trim() switch
            {
                null => StudyShard.FromEnvironment(Environment.GetEnvironmentVariable) ?? StudyShard.Whole,
                "off" or "none" => StudyShard.Whole,
                var text => StudyShard.Parse(text),
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--shard: {e.Message}");
        }
    }

    public TimeSpan ReadClaimTimeout(ParseResult parse)
    {
        double minutes = parse.GetValue(ClaimTimeout);
        if (!(double.IsFinite(minutes) && minutes > 0 && minutes < 1e6))
            throw new UsageException($"--claim-timeout must be a number of minutes > 0 (got {minutes.ToString(CultureInfo.InvariantCulture)})");
        return TimeSpan.FromMinutes(minutes);
    }
}
