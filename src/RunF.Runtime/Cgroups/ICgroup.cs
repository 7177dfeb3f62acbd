namespace RunF.Runtime.Cgroups;

/// <summary>One container's cgroup, in whichever hierarchy the host has.</summary>
public interface ICgroup
{
    /// <summary>Where it lives, for messages.</summary>
    string Path { get; }

    /// <summary>Moves a process in: done for the container's child before it runs a step.</summary>
    void Join(int pid);

    CgroupOutcome ReadOutcome();

    /// <summary>Removes the cgroup once its processes are gone.</summary>
    void Remove();

    /// <summary>Removes empty runf-ID siblings whose runf is gone (it was SIGKILLed before it could).</summary>
    void SweepSiblings(Func<string, bool> isLive);
}

/// <summary>What the kernel accounted: OOM kills, and peaks where this kernel keeps them.</summary>
public sealed record CgroupOutcome(long OomKills, long? PeakMemoryBytes, long? PidsPeak);
