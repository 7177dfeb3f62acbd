using System.Diagnostics;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Oci;

/// <summary>
/// Runs a config's hooks in runf's own namespaces, as runtime-spec says: path with args (args[0]
/// is argv[0], as runc passes it) and env exactly, the container's state JSON on stdin, killed
/// after timeout seconds. A failing prestart or createRuntime hook fails the create; a failing
/// poststart or poststop hook is a warning.
/// </summary>
public static class OciHookRunner
{
    public static void Run(IReadOnlyList<OciHook>? hooks, string stage, byte[] state, bool fatal, Action<string> warn)
    {
        for (var i = 0; i < (hooks?.Count ?? 0); i++)
        {
            var problem = RunOne(hooks![i], state);
            if (problem is null)
            {
                continue;
            }
            var message = $"hooks.{stage}[{i}] {hooks[i].Path}: {problem}";
            if (fatal)
            {
                throw new RunfException(message);
            }
            warn(message);
        }
    }

    private static string? RunOne(OciHook hook, byte[] state)
    {
        if (string.IsNullOrEmpty(hook.Path) || !Path.IsPathRooted(hook.Path))
        {
            return "the path must be absolute";
        }
        var psi = new ProcessStartInfo(hook.Path) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in (hook.Args ?? []).Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment.Clear();
        foreach (var pair in hook.Env ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq > 0)
            {
                psi.Environment[pair[..eq]] = pair[(eq + 1)..];
            }
        }
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run it: {e.Message.ToLowerInvariant()}";
        }
        using (process)
        {
            try
            {
                process.StandardInput.BaseStream.Write(state);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // A hook that does not read its stdin is fine.
            }
            if (!process.WaitForExit(hook.Timeout is > 0 and var t ? t * 1000 : -1))
            {
                process.Kill(entireProcessTree: true);
                return $"timed out after {hook.Timeout} s";
            }
            return process.ExitCode == 0 ? null : $"exited with status {process.ExitCode}";
        }
    }
}
