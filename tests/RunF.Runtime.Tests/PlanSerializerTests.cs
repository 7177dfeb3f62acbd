using System.Buffers.Binary;
using System.Text;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Tests;

/// <summary>Reads the serialized plan the way native/launcher.c does and checks what it finds.</summary>
public class PlanSerializerTests
{
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    private static string? Str(byte[] b, uint off) => off == 0 ? null : Encoding.UTF8.GetString(b, (int)off, Array.IndexOf(b, (byte)0, (int)off) - (int)off);

    private static int OpAt(int index) => PlanSerializer.HeaderSize + index * PlanSerializer.OpSize;

    private static readonly SetupPlan Plan = new(Namespaces.CloneFlags,
    [
        Ops.MountFs("proc", "/proc", MountFlags.NoSuid | MountFlags.NoExec, opFlags: OpFlags.NoSymlinks),
        Ops.SetRlimit(new Spec.Rlimit(7, 1024, 2048)),
        Ops.Seccomp(new byte[16]),
        Ops.Exec(["echo", "héllo"], ["A=1"], ["/bin/echo", "/usr/bin/echo"]),
    ]);

    [Fact]
    public void Writes_the_header()
    {
        var b = PlanSerializer.Serialize(Plan, timing: true);
        Assert.Equal(0x464e5552u, U32(b, 0));
        Assert.Equal(1u, U32(b, 4));
        Assert.Equal(1u, U32(b, 8));
        Assert.Equal(4u, U32(b, 12));
        Assert.Equal(24u, U32(b, 16));
        Assert.Equal((uint)b.Length, U32(b, 20));
        Assert.Equal(0u, U32(PlanSerializer.Serialize(Plan), 8));
    }

    [Fact]
    public void Writes_kind_flags_strings_and_numbers()
    {
        var b = PlanSerializer.Serialize(Plan);
        var mount = OpAt(0);
        Assert.Equal((uint)OpKind.Mount, U32(b, mount));
        Assert.Equal((uint)(OpFlags.TargetInRoot | OpFlags.NoSymlinks), U32(b, mount + 4));
        Assert.Equal(["proc", "/proc", "proc", null], new[] { 8, 12, 16, 20 }.Select(o => Str(b, U32(b, mount + o))));
        Assert.Equal((ulong)(MountFlags.NoSuid | MountFlags.NoExec), U64(b, mount + 24));
        var rlimit = OpAt(1);
        Assert.Equal([7UL, 1024UL, 2048UL], new[] { 24, 32, 40 }.Select(o => U64(b, rlimit + o)));
    }

    [Fact]
    public void Writes_blobs_eight_byte_aligned()
    {
        var b = PlanSerializer.Serialize(Plan);
        var offset = U32(b, OpAt(2) + 8);
        Assert.Equal(0u, offset % 8);
        Assert.True(offset + 16 <= b.Length);
        Assert.Equal(2UL, U64(b, OpAt(2) + 24));
    }

    [Fact]
    public void Writes_exec_lists_as_counts_and_string_offsets()
    {
        var b = PlanSerializer.Serialize(Plan);
        string[] List(uint off) => [.. Enumerable.Range(0, (int)U32(b, (int)off)).Select(i => Str(b, U32(b, (int)off + 4 + 4 * i))!)];
        var exec = OpAt(3);
        Assert.Equal(["echo", "héllo"], List(U32(b, exec + 8)));
        Assert.Equal(["A=1"], List(U32(b, exec + 12)));
        Assert.Equal(["/bin/echo", "/usr/bin/echo"], List(U32(b, exec + 16)));
        Assert.All(new[] { 8, 12, 16 }, o => Assert.Equal(0u, U32(b, exec + o) % 4));
    }

    [Fact]
    public void Lists_keep_empty_strings()
    {
        var plan = new SetupPlan(0, [Ops.MountFs("tmpfs", "/tmp", MountFlags.NoSuid), Ops.Exec(["sh", "", "-c", ""], [], ["/bin/sh"])]);
        var b = PlanSerializer.Serialize(plan);
        var argv = U32(b, OpAt(1) + 8);
        Assert.Equal(["sh", "", "-c", ""], Enumerable.Range(0, (int)U32(b, (int)argv)).Select(i => Str(b, U32(b, (int)argv + 4 + 4 * i))));
    }

    [Fact]
    public void Writes_every_byte_of_a_buffer_that_held_something_else()
    {
        // Odd-length strings before a list and a blob: padding on both alignments.
        var plan = new SetupPlan(0, [Ops.Hostname("abc"), Ops.Seccomp([1, 2, 3, 4, 5, 6, 7, 8]), Ops.Hostname("de"), Ops.Exec(["x"], ["A=b"], ["/x"])]);
        var size = PlanSerializer.SizeOf(plan);
        var dirty = Enumerable.Repeat((byte)0xFF, size).ToArray();

        PlanSerializer.Write(plan, timing: false, dirty);

        // The native buffer is written this way (NativePlan): it must equal a buffer that was zeroed.
        var clean = new byte[size];
        PlanSerializer.Write(plan, timing: false, clean);
        Assert.Equal(clean, dirty);
        Assert.Equal("abc", Str(dirty, U32(dirty, OpAt(0) + 8)));
        var blob = U32(dirty, OpAt(1) + 8);
        Assert.Equal(0u, blob % 8);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], dirty.AsSpan((int)blob, 8).ToArray());
        Assert.Equal(0u, U32(dirty, OpAt(3) + 8) % 4);
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
        var plan = new SetupPlan(0, [Ops.Exec(["a\0b"], [], ["/a"])]);
        var e = Assert.Throws<Errors.RunfException>(() => PlanSerializer.Serialize(plan));
        Assert.Contains("NUL", e.Message);
    }
}
