namespace NoiseSam.Harness.Data;

/// <summary>
/// Images as read from disk: <see cref="Pixels"/> holds <see cref="Count"/> images of
/// <see cref="Channels"/>×<see cref="Rows"/>×<see cref="Cols"/> bytes each, channel-major then
/// row-major (the layout of both IDX and CIFAR-10 binary files).
/// </summary>
public sealed record RawImages(byte[] Pixels, int Count, int Channels, int Rows, int Cols)
{
    /// <summary>Bytes per image.</summary>
    public int ImageBytes => Channels * Rows * Cols;
}

/// <summary>Opening data files that may or may not be gzip-compressed, whatever their name.</summary>
internal static class DataFile
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Opens <paramref name="path"/> for reading; a gzip stream (magic bytes 1f 8b) is decompressed
    /// on the fly. A missing file throws <see cref="DataFormatException"/>.
    /// </summary>
    public static Stream Open(string path, string what)
    {
        if (Directory.Exists(path))
            throw new DataFormatException(path, $"expected {what}, found a directory");
        if (!File.Exists(path))
            throw new DataFormatException(path, $"expected {what}, found no such file");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            int b0 = file.ReadByte();
            int b1 = b0 < 0 ? -1 : file.ReadByte();
            file.Position = 0;
            if (b0 == 0x1f && b1 == 0x8b)
                return new BufferedStream(new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress), BufferSize);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the count read.</summary>
    public static int ReadFully(Stream s, string path, Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = s.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"expected a valid gzip stream, found corrupt compressed data ({e.Message})", e);
        }
        return total;
    }

    /// <summary>Counts (and discards) the bytes left in the stream.</summary>
    public static long CountRemaining(Stream s, string path)
    {
        var buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = ReadFully(s, path, buf)) > 0) total += n;
        return total;
    }

    /// <summary>Reads a whole (possibly gzipped) file into memory.</summary>
    public static byte[] ReadAll(string path, string what)
    {
        using var s = Open(path, what);
        if (s is FileStream fs)
        {
            var bytes = new byte[fs.Length];
            int read = ReadFully(fs, path, bytes);
            return read == bytes.Length ? bytes : bytes[..read];
        }
        using var ms = new MemoryStream();
        try
        {
            s.CopyTo(ms);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"expected a valid gzip stream, found corrupt compressed data ({e.Message})", e);
        }
        return ms.ToArray();
    }
}
