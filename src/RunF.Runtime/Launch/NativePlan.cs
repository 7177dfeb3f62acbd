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
        var size = PlanSerializer.SizeOf(plan);
        Pointer = (byte*)NativeMemory.AlignedAlloc((nuint)size, 8);
        Length = (uint)size;
        try
        {
            PlanSerializer.Write(plan, timing, new Span<byte>(Pointer, size));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public byte* Pointer { get; private set; }

    public uint Length { get; }

    public void Dispose()
    {
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
