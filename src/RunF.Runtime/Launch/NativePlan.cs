using System.Runtime.InteropServices;
using RunF.Runtime.Plan;

namespace RunF.Runtime.Launch;

/// <summary>
/// A serialized plan in native memory, 8-byte aligned, where the launcher and the cloned child
/// read it in place: it must outlive the child's use of it, so it is freed explicitly.
/// </summary>
internal sealed unsafe class NativePlan : IDisposable
{
    public NativePlan(SetupPlan plan, bool timing = false)
    {
        var bytes = PlanSerializer.Serialize(plan, timing);
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes.Length, 8);
        Length = (uint)bytes.Length;
        bytes.CopyTo(new Span<byte>(Pointer, bytes.Length));
    }

    public byte* Pointer { get; private set; }

    public uint Length { get; }

    public void Dispose()
    {
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
