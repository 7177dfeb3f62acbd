using System.Buffers.Binary;
using System.Text;

namespace RunF.Runtime.Plan;

/// <summary>
/// Lays a plan out in the launcher's format (native/plan.h): header, fixed-size ops, then the
/// strings, lists and blobs they reference by offset. The child reads it in place.
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
        var dataStart = HeaderSize + OpSize * plan.Ops.Count;
        var data = new DataArea(dataStart);
        var ops = new byte[OpSize * plan.Ops.Count];
        for (var i = 0; i < plan.Ops.Count; i++)
        {
            WriteOp(ops.AsSpan(i * OpSize, OpSize), plan.Ops[i], data);
        }

        var buffer = new byte[dataStart + data.Length];
        var header = buffer.AsSpan(0, HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], timing ? TimingFlag : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)plan.Ops.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)buffer.Length);
        ops.CopyTo(buffer, HeaderSize);
        data.CopyTo(buffer.AsSpan(dataStart));
        return buffer;
    }

    private static void WriteOp(Span<byte> dst, SetupOp op, DataArea data)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)op.Kind);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], (uint)op.Flags);
        var refs = new uint[4];
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
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dst[(8 + 4 * i)..], refs[i]);
        }
        for (var i = 0; i < op.Numbers.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dst[(24 + 8 * i)..], op.Numbers[i]);
        }
    }

    /// <summary>The area after the ops; offsets it hands out are from the start of the plan.</summary>
    private sealed class DataArea(int start)
    {
        private readonly MemoryStream _bytes = new();

        public int Length => (int)_bytes.Length;

        public uint AddString(string s)
        {
            var offset = Here();
            var utf8 = Encoding.UTF8.GetBytes(s);
            if (utf8.Contains((byte)0))
            {
                throw new Errors.RunfException($"invalid argument \"{s.Replace("\0", "\\0")}\": it contains a NUL byte");
            }
            _bytes.Write(utf8);
            _bytes.WriteByte(0);
            return offset;
        }

        public uint AddList(IReadOnlyList<string> items)
        {
            var offsets = items.Select(AddString).ToArray();
            Align(4);
            var offset = Here();
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)offsets.Length);
            _bytes.Write(word);
            foreach (var o in offsets)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(word, o);
                _bytes.Write(word);
            }
            return offset;
        }

        public uint AddBlob(byte[] blob)
        {
            Align(8);
            var offset = Here();
            _bytes.Write(blob);
            return offset;
        }

        public void CopyTo(Span<byte> dst) => _bytes.GetBuffer().AsSpan(0, Length).CopyTo(dst);

        private uint Here() => (uint)(start + _bytes.Length);

        private void Align(int n)
        {
            while ((start + _bytes.Length) % n != 0)
            {
                _bytes.WriteByte(0);
            }
        }
    }
}
