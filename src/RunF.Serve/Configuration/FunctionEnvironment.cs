namespace RunF.Serve.Configuration;

/// <summary>
/// What of the agent's own environment reaches the function. The watchdogs pass theirs on whole,
/// and that is how an OpenFaaS function's `environment:` and secrets settings reach it; runf serve
/// passes it on too, less its own settings (fprocess, mode, port, the timeouts...: the agent's
/// configuration, not the function's) and the variables that describe the agent's process rather
/// than configure the function (its PATH, HOME, HOSTNAME...: the function's container has its own,
/// from its image and runf's defaults). -e and --env-file still win over what is passed.
/// </summary>
public static class FunctionEnvironment
{
    private static readonly HashSet<string> AgentsProcess = new(StringComparer.Ordinal)
    {
        "PATH", "HOME", "HOSTNAME", "TERM", "PWD", "OLDPWD", "SHLVL", "_", "XDG_RUNTIME_DIR",
    };

    private static readonly HashSet<string> Settings = new(
        Setting.All.Where(s => s.FromEnvironment).Select(s => s.Name).Concat(Setting.OtherNames.Select(o => o.Variable)),
        StringComparer.Ordinal);

    /// <summary>The KEY=VALUE pairs of agentEnvironment that the function gets.</summary>
    public static IReadOnlyList<string> Inherited(IEnumerable<string> agentEnvironment) =>
        [.. agentEnvironment.Where(entry => entry.IndexOf('=') is > 0 and var eq && Passes(entry[..eq]))];

    /// <summary>Whether the function gets the agent's variable of this name.</summary>
    public static bool Passes(string name) => !Settings.Contains(name) && !AgentsProcess.Contains(name);
}
