using System.Buffers.Binary;
using System.Text;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Tests;

/// <summary>
/// The serializer's own contract: the header, a full buffer, errors. What the launcher reads from
/// it is checked by the launcher's own reader (PlanReaderTests).
/// </summary>
public class PlanSerializerTests
{
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    private static string? Str(byte[] b, uint off) => off == 0 ? null : Encoding.UTF8.GetString(b, (int)off, Array.IndexOf(b, (byte)0, (int)off) - (int)off);

    private static int OpAt(int index) => PlanSerializer.HeaderSize + index * PlanSerializer.OpSize;

    private static readonly SetupPlan Plan = new(Namespaces.CloneFlags, IdMaps.RootAs(1000, 1000),
    [
        Ops.MountFs("proc", "/proc", MountFlags.NoSuid | MountFlags.NoExec, opFlags: OpFlags.NoSymlinks),
        Ops.SetRlimit(new Spec.Rlimit(7, 1024, 2048)),
        Ops.Seccomp(new byte[16]),
        Ops.Exec(["echo", "héllo"], ["A=1"], ["/bin/echo", "/usr/bin/echo"]),
    ]);

    [Fact]
    public void Writes_the_header()
    {
        var b = PlanBytes.Of(Plan, timing: true);
        Assert.Equal(0x464e5552u, U32(b, 0));
        Assert.Equal(1u, U32(b, 4));
        Assert.Equal(1u, U32(b, 8));
        Assert.Equal(4u, U32(b, 12));
        Assert.Equal(24u, U32(b, 16));
        Assert.Equal((uint)b.Length, U32(b, 20));
        Assert.Equal(0u, U32(PlanBytes.Of(Plan), 8));
    }

    [Fact]
    public void Writes_every_byte_of_a_buffer_that_held_something_else()
    {
        // Odd-length strings before a list and a blob: padding on both alignments.
        var plan = new SetupPlan(0, IdMaps.RootAs(0, 0), [Ops.Hostname("abc"), Ops.Seccomp([1, 2, 3, 4, 5, 6, 7, 8]), Ops.Hostname("de"), Ops.Exec(["x"], ["A=b"], ["/x"])]);
        var size = PlanSerializer.SizeOf(plan);
        var dirty = Enumerable.Repeat((byte)0xFF, size).ToArray();

        PlanSerializer.Write(plan, timing: false, dirty);

        // The native buffer is written this way (NativePlan): it must equal a buffer that was zeroed.
        var clean = new byte[size];
        PlanSerializer.Write(plan, timing: false, clean);
        Assert.Equal(clean, dirty);
        Assert.Equal(0u, U32(dirty, OpAt(2) + 12)); // an op's unused string references are 0
    }

    [Fact]
    public void Refuses_a_buffer_of_another_size()
    {
        var size = PlanSerializer.SizeOf(Plan);
        Assert.Throws<ArgumentException>(() => PlanSerializer.Write(Plan, timing: false, new byte[size + 8]));
    }

    [Fact]
    public void Refuses_strings_with_nul_bytes()
    {
        var plan = new SetupPlan(0, IdMaps.RootAs(0, 0), [Ops.Exec(["a\0b"], [], ["/a"])]);
        var e = Assert.Throws<Errors.RunfException>(() => PlanBytes.Of(plan));
        Assert.Contains("NUL", e.Message);
    }
}
