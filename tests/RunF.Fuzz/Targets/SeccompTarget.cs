using RunF.Runtime.Errors;
using RunF.Runtime.Seccomp;
using RunF.Runtime.Spec;

namespace RunF.Fuzz.Targets;

/// <summary>
/// The seccomp profile reader, as `runf --seccomp PROFILE.json` uses it: parse, validate and
/// resolve for the container's capabilities, compile with libseccomp, and render the rules
/// --dry-run prints.
/// </summary>
internal static class SeccompTarget
{
    public static void Run(byte[] input)
    {
        var sandbox = Sandbox.For("seccomp");
        string profile = Path.Combine(sandbox.Output, "profile.json");
        File.WriteAllBytes(profile, input);
        try
        {
            if (SeccompFilters.Load(profile, cacheDir: null, Capabilities.Default) is { } filter)
            {
                _ = filter.Rules.Count;
            }
        }
        catch (RunfException e)
        {
            Harness.Refused(e);
        }
        File.Delete(profile);
    }
}
