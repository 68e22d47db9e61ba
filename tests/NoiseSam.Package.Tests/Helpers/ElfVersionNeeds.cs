using System.Buffers.Binary;
using System.Text;

namespace NoiseSam.Package.Tests.Helpers;

/// <summary>One version requirement of a shared library (an Elf64_Vernaux entry of .gnu.version_r).</summary>
internal sealed record VersionNeed(string Library, string Version, ushort Flags)
{
    /// <summary>VER_FLG_WEAK: the loader accepts the library when the version is missing.</summary>
    public bool IsWeak => (Flags & 0x2) != 0;
}

/// <summary>
/// Reads the version requirements of a 64-bit little-endian ELF file, independently of the
/// build's patcher (build/ElfVersionPatcher.cs), so the test checks the patch rather than reusing it.
/// </summary>
internal static class ElfVersionNeeds
{
    public static IReadOnlyList<VersionNeed> Read(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{path} is not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException($"{path} is not 64-bit little-endian");

        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        const uint ShtGnuVerneed = 0x6ffffffe;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)(shoff + (long)i * shentsize));
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, sh + 0x18);
            uint link = U32(elf, sh + 0x28), count = U32(elf, sh + 0x2C); // sh_info = number of Verneed entries
            int strtab = checked((int)(shoff + (long)link * shentsize));
            long strOffset = (long)U64(elf, strtab + 0x18);

            var needs = new List<VersionNeed>();
            long vn = offset;
            for (uint n = 0; n < count; n++)
            {
                int auxCount = U16(elf, (int)vn + 2);
                string library = Str(elf, strOffset + U32(elf, (int)vn + 4));
                long aux = vn + U32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    needs.Add(new VersionNeed(library, Str(elf, strOffset + U32(elf, (int)aux + 8)), U16(elf, (int)aux + 4)));
                    aux += U32(elf, (int)aux + 12);
                }
                vn += U32(elf, (int)vn + 12);
            }
            return needs;
        }
        throw new InvalidDataException($"{path} has no .gnu.version_r section");
    }

    private static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    private static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    private static string Str(byte[] b, long at)
    {
        int start = checked((int)at), end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}
