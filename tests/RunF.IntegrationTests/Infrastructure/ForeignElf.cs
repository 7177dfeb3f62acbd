using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// A minimal valid static ELF executable for an architecture other than the host's (aarch64 on
/// an x86-64 host, x86-64 elsewhere) that exits 0 where it can run: one PT_LOAD segment holding
/// the header and three instructions. This kernel refuses it with ENOEXEC, as it refuses an
/// image built for another architecture (no binfmt_misc emulator on the test machines).
/// </summary>
public static class ForeignElf
{
    private const int HeaderSize = 64, ProgramHeaderSize = 56;
    private const ulong Base = 0x400000;

    /// <summary>The GOARCH name of the architecture the binary is for.</summary>
    public static string Architecture => IsArm64Host ? "amd64" : "arm64";

    private static bool IsArm64Host => RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64;

    public static byte[] Bytes()
    {
        // aarch64: mov x0, #0; mov x8, #93 (exit); svc #0. x86-64: mov eax, 60 (exit); xor edi, edi; syscall.
        byte[] code = IsArm64Host
            ? [0xb8, 0x3c, 0x00, 0x00, 0x00, 0x31, 0xff, 0x0f, 0x05]
            : [0x00, 0x00, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4];
        ushort machine = IsArm64Host ? (ushort)0x3E : (ushort)0xB7;
        var elf = new byte[HeaderSize + ProgramHeaderSize + code.Length];
        var s = elf.AsSpan();
        "\u007fELF"u8.CopyTo(s);
        s[4] = 2; // ELFCLASS64
        s[5] = 1; // little-endian
        s[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], machine);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], Base + HeaderSize + ProgramHeaderSize); // e_entry
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], HeaderSize); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], HeaderSize); // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], ProgramHeaderSize); // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], 1); // e_phnum
        var ph = s[HeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5); // PF_R | PF_X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], Base); // p_vaddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], Base); // p_paddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)elf.Length); // p_filesz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)elf.Length); // p_memsz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000); // p_align
        code.CopyTo(s[(HeaderSize + ProgramHeaderSize)..]);
        return elf;
    }
}
