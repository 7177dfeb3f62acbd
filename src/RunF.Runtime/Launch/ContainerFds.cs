namespace RunF.Runtime.Launch;

/// <summary>
/// The descriptors a prepared container's command starts with: stdin, stdout and stderr, and fd 3
/// when Fd3 is not -1 (an OpenWhisk actionloop action writes its results there). They are
/// copied into the container; the caller keeps its own.
/// </summary>
public readonly record struct ContainerFds(int Stdin, int Stdout, int Stderr, int Fd3 = -1);
