using RunF.Interop;
using RunF.Runtime.Cgroups;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>
/// A prepared container with what it owns: its state record (runf ps), its cgroup, the
/// function's environment as it is in this container (HOSTNAME is its own), and a handle on its
/// mount namespace. Holding that handle keeps the container's mounts alive past the exit of its
/// PID 1: the exit (and so the exit status the answer waits for) does not wait for the mounts
/// to be torn down, which happens when Dispose closes the handle, off the request's path.
/// </summary>
internal sealed class WarmContainer(StateFile state, ICgroup? cgroup, PreparedContainer container, IReadOnlyList<string> env, SafeFd mountNamespace) : IDisposable
{
    public IReadOnlyList<string> Env => env;

    public string Id => state.Id;

    public PreparedContainer Container => container;

    /// <summary>Kills it if it never ran; removes its mounts, cgroup and state record.</summary>
    public void Dispose()
    {
        container.Dispose();
        mountNamespace.Dispose();
        cgroup?.Remove();
        state.Dispose();
    }
}
