using System.Buffers.Binary;
using System.Text;

namespace RunF.Runtime.Plan;

/// <summary>
/// Lays a plan out in the launcher's format (native/plan.h): header, fixed-size ops, then the
/// strings, lists and blobs they reference by offset. The child reads it in place. The layout is
/// measured first and then written in one pass into a buffer of exactly that size (managed or
/// the launcher's native memory, whatever it held): a start allocates nothing else for it.
/// </summary>
public static class PlanSerializer
{
    public const uint Magic = 0x464e5552;
    public const uint Version = 1;
    public const uint TimingFlag = 1;
    public const int HeaderSize = 24;
    public const int OpSize = 48;

    public static byte[] Serialize(SetupPlan plan, bool timing = false)
    {
        var buffer = new byte[SizeOf(plan)];
        Write(plan, timing, buffer);
        return buffer;
    }

    /// <summary>The plan's size in bytes; throws for a string the launcher cannot take.</summary>
    public static int SizeOf(SetupPlan plan)
    {
        var data = DataArea.Measuring(HeaderSize + OpSize * plan.Ops.Count);
        foreach (var op in plan.Ops)
        {
            WriteOp([], op, ref data);
        }
        return data.End;
    }

    /// <summary>Writes the plan into dst, which must be SizeOf(plan) bytes; every byte is written.</summary>
    public static void Write(SetupPlan plan, bool timing, Span<byte> dst)
    {
        var dataStart = HeaderSize + OpSize * plan.Ops.Count;
        dst[..dataStart].Clear(); // unused string references and numbers are 0
        var data = DataArea.Writing(dst, dataStart);
        for (var i = 0; i < plan.Ops.Count; i++)
        {
            WriteOp(dst.Slice(HeaderSize + i * OpSize, OpSize), plan.Ops[i], ref data);
        }
        if (data.End != dst.Length)
        {
            throw new ArgumentException($"the plan takes {data.End} bytes, not {dst.Length}", nameof(dst));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(dst, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], timing ? TimingFlag : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], (uint)plan.Ops.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[20..], (uint)data.End);
    }

    /// <summary>Lays out op's data, and writes the op into dst unless the data area is only measuring.</summary>
    private static void WriteOp(Span<byte> dst, SetupOp op, ref DataArea data)
    {
        Span<uint> refs = stackalloc uint[4];
        if (op.Kind == OpKind.Exec)
        {
            for (var i = 0; i < op.Lists.Count; i++)
            {
                refs[i] = data.AddList(op.Lists[i]);
            }
        }
        else if (op.Blob is { } blob)
        {
            refs[0] = data.AddBlob(blob);
        }
        else
        {
            for (var i = 0; i < op.Strings.Count; i++)
            {
                refs[i] = op.Strings[i] is { } s ? data.AddString(s) : 0;
            }
        }
        if (data.IsMeasuring)
        {
            return;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)op.Kind);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], (uint)op.Flags);
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dst[(8 + 4 * i)..], refs[i]);
        }
        for (var i = 0; i < op.Numbers.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dst[(24 + 8 * i)..], op.Numbers[i]);
        }
    }

    /// <summary>
    /// The area after the ops; offsets it hands out are from the start of the plan. Measuring, it
    /// only counts; writing, it writes every byte, terminators and padding included.
    /// </summary>
    private ref struct DataArea
    {
        private readonly Span<byte> _plan;

        private DataArea(Span<byte> plan, int start, bool measuring)
        {
            _plan = plan;
            End = start;
            IsMeasuring = measuring;
        }

        public static DataArea Measuring(int start) => new([], start, measuring: true);

        public static DataArea Writing(Span<byte> plan, int start) => new(plan, start, measuring: false);

        public bool IsMeasuring { get; }

        public int End { get; private set; }

        public uint AddString(string s)
        {
            if (s.Contains('\0'))
            {
                throw new Errors.RunfException($"invalid argument \"{s.Replace("\0", "\\0")}\": it contains a NUL byte");
            }
            var offset = (uint)End;
            End += IsMeasuring ? Encoding.UTF8.GetByteCount(s) : Encoding.UTF8.GetBytes(s, _plan[End..]);
            if (!IsMeasuring)
            {
                _plan[End] = 0;
            }
            End++;
            return offset;
        }

        public uint AddList(IReadOnlyList<string> items)
        {
            // The strings first, then the aligned count and their offsets, which follow one another.
            var first = End;
            foreach (var item in items)
            {
                AddString(item);
            }
            Align(4);
            var offset = (uint)End;
            if (!IsMeasuring)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_plan[End..], (uint)items.Count);
                var at = first;
                for (var i = 0; i < items.Count; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(_plan[(End + 4 + 4 * i)..], (uint)at);
                    at += _plan[at..].IndexOf((byte)0) + 1;
                }
            }
            End += 4 + 4 * items.Count;
            return offset;
        }

        public uint AddBlob(byte[] blob)
        {
            Align(8);
            var offset = (uint)End;
            if (!IsMeasuring)
            {
                blob.CopyTo(_plan[End..]);
            }
            End += blob.Length;
            return offset;
        }

        private void Align(int n)
        {
            var aligned = (End + n - 1) / n * n;
            if (!IsMeasuring)
            {
                _plan[End..aligned].Clear();
            }
            End = aligned;
        }
    }
}
