using System.Net.Sockets;
using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Serve.HttpMode;
using RunF.Serve.Logging;

namespace RunF.Serve.Fn;

/// <summary>
/// The unix socket of one hot container, as Fn's agent reaches it. The container gets a
/// directory of the agent's bound read-write at /tmp/iofs (Shared) and FN_LISTENER naming
/// /tmp/iofs/lsnr.sock; the FDK listens on lsnr.sock.tmp and then makes lsnr.sock a symlink to it,
/// so that the socket appears complete under its name.
/// Everything in Shared is the function's to write, so the agent never connects to a path there:
/// a symlink to an absolute path would send the agent to a socket of the host's (Fn's agent
/// refuses a symlink that leaves the directory, and still connects through it). Instead the socket
/// is hard-linked into a directory only the agent can reach (Private) — linkat follows no
/// symlink — and connected to there once that link is a socket: the name it links to (lsnr.sock,
/// or the one name in the same directory its symlink names) cannot be swapped under the agent.
/// </summary>
public sealed class FnSocketEndpoint(string shared, string privateSocket) : IServerEndpoint
{
    /// <summary>Where the container sees Shared.</summary>
    public const string MountPoint = "/tmp/iofs";
    public const string SocketName = "lsnr.sock";

    /// <summary>FN_LISTENER's value.</summary>
    public const string Listener = "unix:" + MountPoint + "/" + SocketName;

    private volatile string? _refused;

    /// <summary>The host directory bound at /tmp/iofs.</summary>
    public string Shared => shared;

    /// <summary>The agent's own link to the socket, which calls connect to.</summary>
    public string PrivateSocket => privateSocket;

    public string Name => MountPoint + "/" + SocketName;

    public string Address => Listener;

    /// <summary>Never: Prepare has just emptied the directory.</summary>
    public string AlreadyListening => $"a socket is already in {shared}: runf serve could not empty it";

    /// <summary>Empties Shared and removes the agent's link: a restarted FDK makes its socket again, and a stale one would make it fail.</summary>
    public void Prepare()
    {
        _refused = null;
        try
        {
            File.Delete(privateSocket);
            foreach (var entry in new DirectoryInfo(shared).EnumerateFileSystemInfos())
            {
                // A symlink is removed, never followed; the container that wrote them has exited.
                if (entry is DirectoryInfo { LinkTarget: null } directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunfException($"cannot empty the function's socket directory {shared}: {e.Message}");
        }
    }

    public async Task<bool> AcceptsAsync(CancellationToken token)
    {
        if (!LinkSocket())
        {
            return false;
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(privateSocket), token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Links the FDK's socket to PrivateSocket; false while there is none, or when what is there
    /// is refused (logged once per start: the container is then never up, and its calls time out).
    /// </summary>
    private bool LinkSocket()
    {
        var listener = Path.Combine(shared, SocketName);
        var status = Libc.Stat(listener, Libc.AT_SYMLINK_NOFOLLOW);
        if (status is null)
        {
            return false;
        }
        var target = SocketName;
        if (status.Value.Type == Libc.S_IFLNK)
        {
            target = new FileInfo(listener).LinkTarget ?? "";
            if (target.Length == 0 || target.Contains('/') || target is "." or "..")
            {
                return Refuse($"{SocketName} is a symlink to {target}, outside {MountPoint}: the FDK's symlink must name a socket beside it");
            }
        }
        File.Delete(privateSocket);
        using var at = SafeFd.Borrow(Libc.AT_FDCWD);
        if (Libc.LinkAt(at, Path.Combine(shared, target), at, privateSocket, 0) != 0)
        {
            // ENOENT: not there yet (the symlink may come before the socket it names).
            var errno = Errno.Last;
            return errno == Errno.ENOENT ? false : Refuse($"cannot link {MountPoint}/{target}: {Errno.Describe(errno)}");
        }
        var linked = Libc.Stat(privateSocket, Libc.AT_SYMLINK_NOFOLLOW);
        return linked?.Type == Libc.S_IFSOCK || Refuse($"{MountPoint}/{target} is not a socket");
    }

    private bool Refuse(string why)
    {
        if (_refused != why)
        {
            _refused = why;
            ServeLog.Info($"the function's listener is refused: {why}; its calls time out until it is restarted");
        }
        return false;
    }
}
