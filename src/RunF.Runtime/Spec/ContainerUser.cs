namespace RunF.Runtime.Spec;

/// <summary>
/// The user a command runs as when it is not the caller's root (--user, or the image's User),
/// with ids as seen inside: its gid, its supplementary groups (the gid first, as Docker sets
/// them) and the home directory HOME defaults to.
/// </summary>
public sealed record ContainerUser(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home);
