namespace NoiseSam.Harness.Data;

/// <summary>
/// A data file (or data set directory) that is missing, truncated or malformed. The message names
/// the file, what was expected and what was found, so that it can be shown to the user as is.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="detail"/> is prefixed with the path.</summary>
    public DataFormatException(string filePath, string detail)
        : base($"{filePath}: {detail}")
    {
        FilePath = filePath;
    }

    /// <summary>Creates the exception with an inner cause (e.g. a corrupt gzip stream).</summary>
    public DataFormatException(string filePath, string detail, Exception inner)
        : base($"{filePath}: {detail}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The file (or directory) the problem is about.</summary>
    public string FilePath { get; }
}
