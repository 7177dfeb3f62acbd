using System.Buffers.Binary;
using RunF.Interop;

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
    public const uint DetachedFlag = 2;
    public const int HeaderSize = 24;
    public const int OpSize = 48;

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
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], (timing ? TimingFlag : 0) | (plan.Detached ? DetachedFlag : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], (uint)plan.Ops.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[20..], (uint)data.End);
    }

    /// <summary>Lays out op's data, and writes the op into dst unless the data area is only measuring.</summary>
    private static void WriteOp(Span<byte> dst, SetupOp op, ref DataArea data)
    {
        Span<uint> refs = stackalloc uint[4];
        Span<ulong> numbers = stackalloc ulong[3];
        refs.Clear();
        numbers.Clear();
        // The one place that knows where each kind keeps its fields (native/plan.h).
        switch (op)
        {
            case MountOp m:
                refs[0] = data.AddString(m.Source);
                refs[1] = data.AddString(m.Target);
                refs[2] = data.AddString(m.FsType);
                refs[3] = data.AddString(m.Data);
                numbers[0] = (ulong)m.MountFlags;
                break;
            case EnterRootOp e:
                refs[0] = data.AddString(e.Rootfs);
                break;
            case EnsureDirOp d:
                refs[0] = data.AddString(ParentOf(d.Target));
                refs[1] = data.AddString(NameOf(d.Target));
                numbers[0] = d.Mode;
                break;
            case EnsureFileOp f:
                refs[0] = data.AddString(ParentOf(f.Target));
                refs[1] = data.AddString(NameOf(f.Target));
                numbers[0] = f.Mode;
                break;
            case SymlinkOp l:
                refs[0] = data.AddString(ParentOf(l.Target));
                refs[1] = data.AddString(NameOf(l.Target));
                refs[2] = data.AddString(l.LinkTo);
                break;
            case MountAttributesOp a:
                refs[0] = data.AddString(a.Target);
                numbers[0] = a.Set;
                numbers[1] = a.Clear;
                break;
            case HostnameOp h:
                refs[0] = data.AddString(h.Hostname);
                break;
            case RlimitOp r:
                numbers[0] = (ulong)r.Resource;
                numbers[1] = r.Soft;
                numbers[2] = r.Hard;
                break;
            case CapabilitiesOp c:
                numbers[0] = c.KeepMask;
                numbers[1] = (ulong)c.LastCapability;
                numbers[2] = c.BoundingMask;
                break;
            case IdentityOp u:
                refs[0] = data.AddNumbers(u.Groups);
                numbers[0] = u.Uid;
                numbers[1] = u.Gid;
                break;
            case ChdirOp c:
                refs[0] = data.AddString(c.Target);
                break;
            case TerminalOp t:
                refs[0] = data.AddString(t.Ptmx);
                numbers[0] = t.Rows;
                numbers[1] = t.Columns;
                break;
            case CloseFdsOp c:
                numbers[0] = c.FallbackLimit;
                break;
            case LandlockOp l:
                refs[0] = l.BindablePorts.Count == 0 ? 0 : data.AddPorts(l.BindablePorts);
                numbers[0] = l.HandledNetwork;
                numbers[1] = l.Scopes;
                numbers[2] = (ulong)l.BindablePorts.Count;
                break;
            case SeccompOp f:
                refs[0] = data.AddBlob(f.Program);
                numbers[0] = (ulong)(f.Program.Length / 8);
                break;
            case ExecOp x:
                refs[0] = data.AddList(x.Args);
                refs[1] = data.AddList(x.Env);
                refs[2] = data.AddList(x.Candidates);
                break;
            case OpenGateOp g:
                refs[0] = data.AddString(g.Fifo);
                break;
            case CapabilitySetsOp c:
                refs[0] = data.AddMasks(new[] { c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient });
                numbers[0] = (ulong)c.LastCapability;
                break;
            case NamespaceOp n:
                refs[0] = data.AddString(n.NamespacePath);
                numbers[0] = n.Type;
                break;
            case WriteFileOp w:
                refs[0] = data.AddString(w.Target);
                refs[1] = data.AddString(w.Content);
                break;
            case PivotRootOp or NoNewPrivilegesOp or NewSessionOp or AwaitOp or WaitGateOp:
                break;
            default:
                throw new ArgumentException($"no layout for {op.GetType().Name}", nameof(op));
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
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dst[(24 + 8 * i)..], numbers[i]);
        }
    }

    /// <summary>"/" for "/proc", "/dev" for "/dev/pts": where the launcher opens a directory to make a name in.</summary>
    internal static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    internal static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

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

        /// <summary>A NUL-terminated string; 0 (no reference) for null.</summary>
        public uint AddString(string? s)
        {
            if (s is null)
            {
                return 0;
            }
            if (s.Contains('\0'))
            {
                throw new Errors.RunfException($"invalid argument \"{s.Replace("\0", "\\0")}\": it contains a NUL byte");
            }
            var offset = (uint)End;
            End += IsMeasuring ? PosixString.GetByteCount(s) : PosixString.Encode(s, _plan[End..]);
            if (!IsMeasuring)
            {
                _plan[End] = 0;
            }
            End++;
            return offset;
        }

        /// <summary>The strings, then a u32 count and their offsets (AddNumbers).</summary>
        public uint AddList(IReadOnlyList<string> items)
        {
            var offsets = new uint[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                offsets[i] = AddString(items[i]);
            }
            return AddNumbers(offsets);
        }

        /// <summary>A u32 count, then that many u32 numbers (a list's offsets, the IDENTITY op's gids), 4-byte aligned.</summary>
        public uint AddNumbers(IReadOnlyList<uint> numbers)
        {
            Align(4);
            var offset = (uint)End;
            if (!IsMeasuring)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_plan[End..], (uint)numbers.Count);
                for (var i = 0; i < numbers.Count; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(_plan[(End + 4 + 4 * i)..], numbers[i]);
                }
            }
            End += 4 + 4 * numbers.Count;
            return offset;
        }

        /// <summary>Little-endian u16 ports, 8-byte aligned as a blob.</summary>
        public uint AddPorts(IReadOnlyList<ushort> ports)
        {
            Align(8);
            var offset = (uint)End;
            if (!IsMeasuring)
            {
                for (var i = 0; i < ports.Count; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(_plan[(End + 2 * i)..], ports[i]);
                }
            }
            End += 2 * ports.Count;
            return offset;
        }

        /// <summary>Little-endian u64s, 8-byte aligned.</summary>
        public uint AddMasks(ulong[] masks)
        {
            Align(8);
            var offset = (uint)End;
            if (!IsMeasuring)
            {
                for (var i = 0; i < masks.Length; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(_plan[(End + 8 * i)..], masks[i]);
                }
            }
            End += 8 * masks.Length;
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
