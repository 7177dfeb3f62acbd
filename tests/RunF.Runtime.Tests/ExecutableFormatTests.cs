using RunF.RootfsTools;
using RunF.Runtime.IO;

namespace RunF.Runtime.Tests;

/// <summary>
/// What an "exec format error" is explained with, read from the file's header: each machine and
/// byte order named as images name it, a file the host could run but refused, a script's
/// interpreter, and nothing (the plain errno line) when the file cannot be read.
/// </summary>
public sealed class ExecutableFormatTests : TempDirectoryTest
{
    private static byte[] Elf(ushort machine, bool is64Bit, bool bigEndian)
    {
        var header = new byte[64];
        "\u007fELF"u8.CopyTo(header);
        header[4] = is64Bit ? (byte)2 : (byte)1;
        header[5] = bigEndian ? (byte)2 : (byte)1;
        header[18] = bigEndian ? (byte)(machine >> 8) : (byte)machine;
        header[19] = bigEndian ? (byte)machine : (byte)(machine >> 8);
        return header;
    }

    private string? Explain(byte[] content, string name = "prog")
    {
        Directory.CreateDirectory(Path.Combine(Dir, "bin"));
        File.WriteAllBytes(Path.Combine(Dir, "bin", name), content);
        return ExecutableFormat.Explain(Dir, ["/usr/bin/" + name, "/bin/" + name]);
    }

    public static TheoryData<ushort, bool, bool, string> Machines => new()
    {
        { 0xB7, true, false, "arm64" },
        { 0x3E, true, false, "amd64" },
        { 0x28, false, false, "arm" },
        { 0x16, true, true, "s390x" },
        { 0x15, true, false, "ppc64le" },
        { 0x15, true, true, "ppc64" },
        { 0xF3, true, false, "riscv64" },
        { 0x08, false, true, "mips" },
    };

    [Theory]
    [MemberData(nameof(Machines))]
    public void NamesTheMachineAsImagesDo(ushort machine, bool is64Bit, bool bigEndian, string arch)
    {
        string? why = Explain(Elf(machine, is64Bit, bigEndian));

        Assert.Equal(arch, Platform.ElfArchitecture(machine, is64Bit, !bigEndian));
        if (arch == Platform.Host.Architecture)
        {
            Assert.Equal($"/bin/prog is an ELF binary for {arch}, as this host is, that the kernel refuses: is it truncated or corrupt?", why);
        }
        else
        {
            Assert.StartsWith($"/bin/prog is a binary for {arch} and this host is {Platform.Host.Architecture}: use the image for {Platform.Host.Architecture}", why);
        }
    }

    [Fact]
    public void AnUnknownMachineIsNamedByItsNumber() =>
        Assert.StartsWith("/bin/prog is a binary for machine 4660 (ELF e_machine) and this host is", Explain(Elf(0x1234, true, false)));

    [Fact]
    public void AScriptIsExplainedByItsInterpreter()
    {
        Explain(Elf(0x16, true, true), "s390x-sh");
        Assert.StartsWith("/bin/s390x-sh, the interpreter of /bin/prog, is a binary for s390x", Explain("#!  /bin/s390x-sh -e\necho\n"u8.ToArray()));
    }

    [Fact]
    public void AScriptWhoseInterpreterIsMissingIsNotExplained() =>
        Assert.Null(Explain("#!/bin/missing\n"u8.ToArray()));

    [Fact]
    public void AFileThatIsNoProgramSaysSo() =>
        Assert.Equal("/bin/prog is neither an ELF binary nor a script starting with #!", Explain("MZ\u0090\0"u8.ToArray()));

    [Fact]
    public void NothingToReadIsNoExplanation() =>
        Assert.Null(ExecutableFormat.Explain(Dir, ["/bin/absent"]));
}
