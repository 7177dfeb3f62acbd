using RunF.Runtime.Cgroups;
using RunF.Runtime.Launch;
using RunF.Runtime.State;

namespace RunF.Runtime.Invoke;

/// <summary>A prepared container with what it owns: its state record (runf ps) and its cgroup.</summary>
internal sealed class WarmContainer(StateFile state, ICgroup? cgroup, PreparedContainer container) : IDisposable
{
    public string Id => state.Id;

    public PreparedContainer Container => container;

    public ICgroup? Cgroup => cgroup;

    /// <summary>Kills it if it never ran; removes its cgroup and state record.</summary>
    public void Dispose()
    {
        container.Dispose();
        cgroup?.Remove();
        state.Dispose();
    }
}
