"""t(0.975, df) for the shell scripts' reports: the same table as Stat.StudentT975 in C#."""

TABLE = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    """The two-sided 5 % critical value at df degrees of freedom (a fractional df is rounded down, at least 1)."""
    k = max(1, int(df))
    return TABLE[k - 1] if k <= len(TABLE) else 1.96 + 2.5 / k
