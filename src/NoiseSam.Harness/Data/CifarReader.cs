namespace NoiseSam.Harness.Data;

/// <summary>
/// Reader for the CIFAR-10 binary format (data_batch_1..5.bin, test_batch.bin): records of 3073
/// bytes, one label byte followed by 3×32×32 pixel bytes (red plane, green, blue; row-major).
/// </summary>
public static class CifarReader
{
    /// <summary>Image side.</summary>
    public const int Size = 32;

    /// <summary>Bytes per record: 1 label + 3×32×32 pixels.</summary>
    public const int RecordBytes = 1 + 3 * Size * Size;

    /// <summary>The training batch files, in order.</summary>
    public static readonly IReadOnlyList<string> TrainFiles =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch file.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Reads and concatenates the given batch files (gzip-compressed or plain). Returns the images
    /// (channels 3, 32×32) and the labels. Every file must hold the same number of records (CIFAR-10's
    /// batches hold 10,000 each): <paramref name="recordsPerFile"/>, or else as many as the largest
    /// of them, so that a file cut short exactly on a record boundary is refused too.
    /// </summary>
    /// <exception cref="DataFormatException">a missing file, a size that is not a positive multiple of 3073, fewer records than the other batches, or a label ≥ 10.</exception>
    public static (RawImages Images, byte[] Labels) Read(IReadOnlyList<string> paths, int classes = 10, int? recordsPerFile = null)
    {
        var chunks = new List<(string Path, byte[] Bytes)>(paths.Count);
        long records = 0;
        foreach (var path in paths)
        {
            var bytes = DataFile.ReadAll(path, $"a CIFAR-10 binary batch ({RecordBytes}-byte records)");
            if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
                throw new DataFormatException(path,
                    $"expected a positive multiple of {RecordBytes} bytes (records of 1 label + 3×32×32 pixels), found {bytes.Length} bytes" +
                    (bytes.Length > RecordBytes ? $" ({bytes.Length / RecordBytes} whole records and {bytes.Length % RecordBytes} bytes left over)" : ""));
            IdxReader.CheckLabels(path, bytes, 0, RecordBytes, classes);
            chunks.Add((path, bytes));
            records += bytes.Length / RecordBytes;
        }
        int expected = recordsPerFile ?? chunks.Max(c => c.Bytes.Length / RecordBytes);
        foreach (var (path, bytes) in chunks)
            if (bytes.Length / RecordBytes != expected)
                throw new DataFormatException(path,
                    $"expected {expected} records like the other batches (CIFAR-10's hold 10,000 each), found {bytes.Length / RecordBytes}: " +
                    "the file was cut short on a record boundary; copy it again");
        const int imageBytes = RecordBytes - 1;
        if (records * imageBytes > Array.MaxLength)
            throw new ArgumentException($"{records} CIFAR records do not fit in one array");
        var pixels = new byte[records * imageBytes];
        var labels = new byte[records];
        int r = 0;
        foreach (var (_, bytes) in chunks)
        {
            // One block copy per record (10 000 per file): loading only, never per training step.
            for (int off = 0; off < bytes.Length; off += RecordBytes, r++)
            {
                labels[r] = bytes[off];
                Buffer.BlockCopy(bytes, off + 1, pixels, r * imageBytes, imageBytes);
            }
        }
        return (new RawImages(pixels, (int)records, 3, Size, Size), labels);
    }
}
