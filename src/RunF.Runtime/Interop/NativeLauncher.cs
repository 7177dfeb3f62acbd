using System.Runtime.InteropServices;

namespace RunF.Runtime.Interop;

/// <summary>The launcher, the signal relay and the start-up stamp in native/ (launcher.h, signal_relay.h, start_time.h), linked into the runf binary.</summary>
internal static unsafe partial class NativeLauncher
{
    private const string Lib = "runf_launcher";

    [StructLayout(LayoutKind.Sequential)]
    public struct Spawned
    {
        public int Pid;
        public int SyncFd;
        public int ErrorFd;
        public int PidFd;
        public nint Handle;
    }

    /// <summary>Returns 0 or -errno.</summary>
    [LibraryImport(Lib, EntryPoint = "runf_spawn")]
    public static partial int Spawn(byte* plan, uint length, ulong cloneFlags, out Spawned spawned);

    /// <summary>The most descriptors Dispatch hands over (launcher.h's RUNF_DISPATCH_MAX_FDS): stdin, stdout, stderr, fd 3.</summary>
    public const int MaxDispatchedFds = 4;

    /// <summary>Returns 0 or -errno (EPIPE: the waiting child is gone).</summary>
    [LibraryImport(Lib, EntryPoint = "runf_dispatch")]
    public static partial int Dispatch(nint handle, byte* execPlan, uint length, int* fds, int count);

    /// <summary>The terminal master a TERMINAL step sent, or -errno (EAGAIN: none).</summary>
    [LibraryImport(Lib, EntryPoint = "runf_receive_fd")]
    public static partial int ReceiveFd(nint handle);

    [LibraryImport(Lib, EntryPoint = "runf_step_times")]
    public static partial ulong* StepTimes(nint handle);

    [LibraryImport(Lib, EntryPoint = "runf_release")]
    public static partial void Release(nint handle);

    /// <summary>Returns 0 or -errno (EBUSY: already installed).</summary>
    [LibraryImport(Lib, EntryPoint = "runf_relay_install")]
    public static partial int RelayInstall(int* signals, int count, int escalate, long stopTimeoutMicroseconds);

    /// <summary>The stop signal after which the stop timeout ran out and SIGKILL was sent, or 0.</summary>
    [LibraryImport(Lib, EntryPoint = "runf_relay_stopped_by")]
    public static partial int RelayStoppedBy();

    /// <summary>Returns 0 or -errno.</summary>
    [LibraryImport(Lib, EntryPoint = "runf_relay_attach")]
    public static partial int RelayAttach(int pidFd);

    /// <summary>Returns 0 or -errno (EBUSY: already installed).</summary>
    [LibraryImport(Lib, EntryPoint = "runf_relay_resize")]
    public static partial int RelayResize(int fromFd, RunF.Interop.SafeFd toFd);

    [LibraryImport(Lib, EntryPoint = "runf_relay_resize_stop")]
    public static partial void RelayResizeStop();

    /// <summary>Returns 0 or -errno (EINVAL: modes is not a struct termios).</summary>
    [LibraryImport(Lib, EntryPoint = "runf_relay_restore_terminal")]
    public static partial int RelayRestoreTerminal(int fd, RunF.Interop.Termios* modes, int size);

    [LibraryImport(Lib, EntryPoint = "runf_relay_remove")]
    public static partial void RelayRemove();

    /// <summary>Sends fd over the unix socket at path (console_socket.h); 0 or -errno.</summary>
    [LibraryImport(Lib, EntryPoint = "runf_send_console", StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(RunF.Interop.PosixStringMarshaller))]
    public static partial int SendConsole(string path, int fd);

    /// <summary>CLOCK_MONOTONIC ns at runf's native constructor, before the runtime started; 0 if unknown.</summary>
    [LibraryImport(Lib, EntryPoint = "runf_started_ns")]
    public static partial ulong StartedNs();
}
