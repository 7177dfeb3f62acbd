using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using RunF.Interop;

namespace RunF.Serve.Lambda;

/// <summary>
/// Which container a TCP connection to the runtime API comes from. Every function container
/// shares the executor's network, so a runtime can connect to any runtime's API port; the port
/// alone proves nothing. The kernel names the client's socket of a connection (its inode, from
/// NETLINK_SOCK_DIAG's exact lookup of the four-tuple), and a container owns the connection when
/// one of its processes (its PID 1 and every descendant: in a PID namespace, orphans are
/// reparented to PID 1) holds that socket. A socket handed to another container over a unix
/// socket counts for the one that holds it: the runtime that gave it away chose to.
/// </summary>
public static class ConnectionOwner
{
    private const ushort SOCK_DIAG_BY_FAMILY = 20, NLM_F_REQUEST = 1, NLMSG_ERROR = 2;
    private const byte AF_INET = 2, AF_INET6 = 10, IPPROTO_TCP = 6;

    /// <summary>Whether a process of the container whose PID 1 is pid holds the client's end of this connection.</summary>
    public static bool IsHeldBy(int pid, IPAddress remote, int remotePort, IPAddress local, int localPort) =>
        ClientSocketInode(remote, remotePort, local, localPort) is { } inode && HeldBy(pid, $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]");

    /// <summary>
    /// The inode of the socket at the client's end (local address remote:remotePort, peer
    /// local:localPort): the connection's other side, found by the kernel; null when it is gone.
    /// </summary>
    public static uint? ClientSocketInode(IPAddress remote, int remotePort, IPAddress local, int localPort)
    {
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        if (local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }
        using var socket = Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM, Libc.NETLINK_SOCK_DIAG);
        if (socket.IsInvalid)
        {
            throw new IOException($"cannot open a NETLINK_SOCK_DIAG socket: {Errno.Describe(Errno.Last)}");
        }
        Span<byte> request = stackalloc byte[72];
        request.Clear();
        // struct nlmsghdr: length, type, flags, sequence, port id.
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], SOCK_DIAG_BY_FAMILY);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NLM_F_REQUEST);
        // struct inet_diag_req_v2: without NLM_F_DUMP the kernel looks up the one socket whose
        // local side is (src, sport) and remote side (dst, dport): here the client's.
        var body = request[16..];
        body[0] = remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AF_INET : AF_INET6;
        body[1] = IPPROTO_TCP;
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], uint.MaxValue); // every state
        var id = body[8..];
        BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)remotePort);
        BinaryPrimitives.WriteUInt16BigEndian(id[2..], (ushort)localPort);
        remote.TryWriteBytes(id[4..20], out _);
        local.TryWriteBytes(id[20..36], out _);
        BinaryPrimitives.WriteUInt64LittleEndian(id[40..], ulong.MaxValue); // INET_DIAG_NOCOOKIE
        Span<byte> answer = stackalloc byte[512];
        unsafe
        {
            fixed (byte* sent = request)
            {
                if (Libc.Write(socket, sent, request.Length) != request.Length)
                {
                    throw new IOException($"cannot ask NETLINK_SOCK_DIAG for a connection: {Errno.Describe(Errno.Last)}");
                }
            }
            nint n;
            fixed (byte* received = answer)
            {
                n = Libc.Read(socket, received, answer.Length);
            }
            // struct inet_diag_msg after the header: family, state, timer, retrans, the 48-byte
            // id, expires, rqueue, wqueue, uid, inode. An NLMSG_ERROR answer: the socket is gone.
            if (n < 16 + 72 || BinaryPrimitives.ReadUInt16LittleEndian(answer[4..]) == NLMSG_ERROR)
            {
                return null;
            }
            return BinaryPrimitives.ReadUInt32LittleEndian(answer[(16 + 68)..]);
        }
    }

    /// <summary>Whether pid or a descendant of it has a descriptor whose link reads target.</summary>
    private static bool HeldBy(int pid, string target)
    {
        var pending = new Stack<int>();
        pending.Push(pid);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }
            if (Holds(next, target))
            {
                return true;
            }
            foreach (var child in ChildrenOf(next))
            {
                pending.Push(child);
            }
        }
        return false;
    }

    private static bool Holds(int pid, string target)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == target)
                    {
                        return true;
                    }
                }
                catch (IOException)
                {
                    // closed meanwhile
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // exited meanwhile
        }
        return false;
    }

    /// <summary>The children of every thread of pid (a child belongs to the thread that forked it).</summary>
    private static IEnumerable<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var word in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        children.Add(int.Parse(word, CultureInfo.InvariantCulture));
                    }
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // exited meanwhile
        }
        return children;
    }
}
