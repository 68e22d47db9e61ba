using System.Buffers.Binary;

namespace NoiseSam.Harness.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (big-endian header: magic, then one 32-bit
/// size per dimension, then the unsigned bytes). Files may be gzip-compressed or plain whatever
/// their name: compression is detected from the magic bytes 1f 8b.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with 3 dimensions (images).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with 1 dimension (labels).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads an image file (magic 0x00000803): N images of rows×cols bytes.</summary>
    /// <exception cref="DataFormatException">missing, truncated, over-long or malformed file.</exception>
    public static RawImages ReadImages(string path)
    {
        using var s = DataFile.Open(path, "an IDX image file (magic 0x00000803)");
        Span<byte> header = stackalloc byte[16];
        int got = DataFile.ReadFully(s, path, header);
        if (got < 4)
            throw new DataFormatException(path, $"expected an IDX image file of at least 16 header bytes, found {got} bytes");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != ImageMagic)
            throw new DataFormatException(path, $"expected IDX image magic 0x{ImageMagic:x8}, found 0x{magic:x8}{MagicHint(magic)}");
        if (got < 16)
            throw new DataFormatException(path, $"expected a 16-byte IDX image header, found {got} bytes");
        int n = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int cols = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (n <= 0 || rows <= 0 || cols <= 0)
            throw new DataFormatException(path, $"expected positive image count and size in the header, found {n} images of {rows}×{cols}");
        long body = (long)n * rows * cols;
        if (body > Array.MaxLength)
            throw new DataFormatException(path, $"expected at most {Array.MaxLength} pixel bytes, found a header announcing {body} ({n} images of {rows}×{cols})");
        var pixels = new byte[body];
        int read = DataFile.ReadFully(s, path, pixels);
        long extra = read == body ? DataFile.CountRemaining(s, path) : 0;
        if (read != body || extra != 0)
            throw new DataFormatException(path,
                $"expected {16 + body} bytes for {n} images of {rows}×{cols}, found {16 + read + extra}" +
                (extra != 0 ? " (trailing data after the last image)" : " (file truncated)"));
        return new RawImages(pixels, n, 1, rows, cols);
    }

    /// <summary>
    /// Reads a label file (magic 0x00000801): N labels, each in [0, <paramref name="classes"/>).
    /// </summary>
    /// <exception cref="DataFormatException">missing, truncated, over-long or malformed file, or a label out of range.</exception>
    public static byte[] ReadLabels(string path, int classes = 10)
    {
        using var s = DataFile.Open(path, "an IDX label file (magic 0x00000801)");
        Span<byte> header = stackalloc byte[8];
        int got = DataFile.ReadFully(s, path, header);
        if (got < 4)
            throw new DataFormatException(path, $"expected an IDX label file of at least 8 header bytes, found {got} bytes");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != LabelMagic)
            throw new DataFormatException(path, $"expected IDX label magic 0x{LabelMagic:x8}, found 0x{magic:x8}{MagicHint(magic)}");
        if (got < 8)
            throw new DataFormatException(path, $"expected an 8-byte IDX label header, found {got} bytes");
        int n = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (n <= 0)
            throw new DataFormatException(path, $"expected a positive label count in the header, found {n}");
        var labels = new byte[n];
        int read = DataFile.ReadFully(s, path, labels);
        long extra = read == n ? DataFile.CountRemaining(s, path) : 0;
        if (read != n || extra != 0)
            throw new DataFormatException(path,
                $"expected {8L + n} bytes for {n} labels, found {8 + read + extra}" +
                (extra != 0 ? " (trailing data after the last label)" : " (file truncated)"));
        CheckLabels(path, labels, 0, 1, classes);
        return labels;
    }

    /// <summary>Throws if any label (every <paramref name="stride"/>-th byte from <paramref name="start"/>) is ≥ classes.</summary>
    internal static void CheckLabels(string path, byte[] bytes, int start, int stride, int classes)
    {
        for (int i = start, k = 0; i < bytes.Length; i += stride, k++)
            if (bytes[i] >= classes)
                throw new DataFormatException(path, $"expected labels 0..{classes - 1}, found {bytes[i]} at sample {k}");
    }

    private static string MagicHint(int magic) => magic switch
    {
        ImageMagic => " (an image file where labels were expected)",
        LabelMagic => " (a label file where images were expected)",
        _ when (magic & 0xffff) == 0x8b1f || (magic >>> 16) == 0x1f8b => " (a gzip stream inside a gzip stream?)",
        _ => " (not an IDX file of unsigned bytes)",
    };
}
