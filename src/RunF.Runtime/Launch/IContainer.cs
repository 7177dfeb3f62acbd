namespace RunF.Runtime.Launch;

/// <summary>What both finishers hand back: a container's PID 1 as the executor sees it; disposing lets go of it.</summary>
public interface IContainer : IDisposable
{
    int Pid { get; }
}
