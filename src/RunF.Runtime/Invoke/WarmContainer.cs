using RunF.Runtime.Cgroups;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>
/// A prepared container with what it owns: its state record (runf ps), its cgroup, and the
/// function's environment as it is in this container (HOSTNAME is its own).
/// </summary>
internal sealed class WarmContainer(StateFile state, ICgroup? cgroup, PreparedContainer container, IReadOnlyList<string> env) : IDisposable
{
    public IReadOnlyList<string> Env => env;

    public string Id => state.Id;

    public PreparedContainer Container => container;

    /// <summary>Kills it if it never ran; removes its cgroup and state record.</summary>
    public void Dispose()
    {
        container.Dispose();
        cgroup?.Remove();
        state.Dispose();
    }
}
