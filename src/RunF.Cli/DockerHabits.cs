namespace RunF.Cli;

/// <summary>
/// docker run options that runf does not have, or has under another name: each gets a line that
/// says what runf does instead, where a bare "unknown option" would leave a puzzle.
/// </summary>
public static class DockerHabits
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["-v"] = "docker's -v is runf's --bind SRC:DST[:ro|rw] (read-only unless :rw)",
        ["--volume"] = "docker's --volume is runf's --bind SRC:DST[:ro|rw] (read-only unless :rw)",
        ["--mount"] = "runf mounts with --bind SRC:DST[:ro|rw] and --tmpfs PATH[:SIZE]",
        ["--rm"] = "runf leaves nothing behind: every run is --rm already; drop it",
        ["-d"] = "runf runs in the foreground and exits with the command; for a long-lived function use runf serve",
        ["--detach"] = "runf runs in the foreground and exits with the command; for a long-lived function use runf serve",
        ["--network"] = "a function container shares the executor's network: there is nothing to choose (runf --net-bind limits which ports it may bind)",
        ["--net"] = "a function container shares the executor's network: there is nothing to choose (runf --net-bind limits which ports it may bind)",
        ["-p"] = "nothing to publish: the container shares the executor's network, so its ports are the executor's",
        ["--publish"] = "nothing to publish: the container shares the executor's network, so its ports are the executor's",
        ["--privileged"] = "runf has no privileged mode: add what you need with --cap-add, --seccomp unconfined or --security-opt systempaths=unconfined",
    };

    /// <summary>
    /// runf's -v is --verbose; followed by a SRC:DST pair it is docker's volume, which would
    /// otherwise run SRC:DST as the command.
    /// </summary>
    public static string? HintForPair(string option, string value) =>
        option == "-v" && value.StartsWith('/') && value.IndexOf(":/", StringComparison.Ordinal) > 0
            ? $"-v {value}: runf's -v is --verbose; docker's -v is runf's --bind {value} (read-only unless :rw)"
            : null;

    /// <summary>The hint for an option runf does not know, or null.</summary>
    public static string? HintFor(string option) => Hints.GetValueOrDefault(option);
}
