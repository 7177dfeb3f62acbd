using RunF.Interop;
using RunF.Runtime.Cgroups;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>What the invoker needs of a container waiting for one invocation: the seam its tests fake.</summary>
internal interface IWarmContainer : IDisposable
{
    string Id { get; }

    /// <summary>The function's environment as it is in this container (HOSTNAME is its own).</summary>
    IReadOnlyList<string> Env { get; }

    /// <summary>Whether the OOM killer of its memory limit killed a process of it (false without a cgroup).</summary>
    bool OutOfMemory { get; }

    /// <summary>Execs the command with these descriptors; null when the container is gone (see PreparedContainer.Start).</summary>
    ContainerProcess? Start(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates, ContainerFds fds);
}

/// <summary>
/// A prepared container with what it owns: its state record (runf ps), its cgroup, the
/// function's environment as it is in this container (HOSTNAME is its own), and a handle on its
/// mount namespace. Holding that handle keeps the container's mounts alive past the exit of its
/// PID 1: the exit (and so the exit status the answer waits for) does not wait for the mounts
/// to be torn down, which happens when Dispose closes the handle, off the request's path.
/// </summary>
internal sealed class WarmContainer(StateFile state, ICgroup? cgroup, PreparedContainer container, IReadOnlyList<string> env, SafeFd mountNamespace) : IWarmContainer
{
    public IReadOnlyList<string> Env => env;

    public string Id => state.Id;

    public bool OutOfMemory => cgroup?.ReadOutcome().OomKills > 0;

    public ContainerProcess? Start(IReadOnlyList<string> args, IReadOnlyList<string> env, IReadOnlyList<string> candidates, ContainerFds fds) =>
        container.Start(args, env, candidates, fds);

    /// <summary>Kills it if it never ran; removes its mounts, cgroup and state record.</summary>
    public void Dispose()
    {
        container.Dispose();
        mountNamespace.Dispose();
        cgroup?.Remove();
        state.Dispose();
    }
}
