using System.Text;
using RunF.Interop;
using RunF.Runtime.Spec;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// Installs an /init's code as the proxies do, into the agent's action directory: text code is
/// the executable itself; binary code is base64 of a zip holding an exec file (and whatever it
/// needs beside it), or of the executable itself (a script, an ELF). The result is always an
/// exec file at the top, a regular file (not a symlink), mode 0755.
/// </summary>
internal static class ActionInstaller
{
    public const string Exec = "exec";
    private const uint Mode0755 = 0x1ed;

    /// <summary>Installs into code (empty); ActionCodeException says what is wrong with the code.</summary>
    public static void Install(SafeFd code, string source, bool binary, long maxBytes)
    {
        byte[] bytes;
        try
        {
            bytes = binary ? Convert.FromBase64String(source) : Encoding.UTF8.GetBytes(source);
        }
        catch (FormatException)
        {
            throw new ActionCodeException("value.code of the /init request is not base64, and value.binary is true");
        }
        if (bytes.Length > maxBytes)
        {
            throw new ActionCodeException($"the action's code is {ByteSize.Format(bytes.Length)}, more than max_action_size ({ByteSize.Format(maxBytes)}): raise --max-action-size, or make the action smaller");
        }
        if (binary && ActionZip.IsZip(bytes))
        {
            ActionZip.Extract(bytes, code, maxBytes);
        }
        else
        {
            WriteExec(code, bytes);
        }
        MakeExecutable(code);
    }

    private static void WriteExec(SafeFd code, byte[] bytes)
    {
        using var file = Libc.OpenAt(code, Exec, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Mode0755);
        if (file.IsInvalid || Libc.WriteAll(file, bytes) is not 0)
        {
            throw new ActionCodeException($"cannot write the action's exec file: {Errno.Describe(Errno.Last)}");
        }
    }

    private static void MakeExecutable(SafeFd code)
    {
        using var exec = Libc.OpenAt(code, Exec, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (exec.IsInvalid)
        {
            throw new ActionCodeException(Errno.Last switch
            {
                Errno.ENOENT => "the action's zip has no exec file at its top: put the action's executable there, named exec",
                Errno.ELOOP => "the action's exec is a symlink: it must be the executable itself",
                var errno => $"cannot open the action's exec file: {Errno.Describe(errno)}",
            });
        }
        if (Libc.FStat(exec) is not { Type: Libc.S_IFREG })
        {
            throw new ActionCodeException("the action's exec is not a regular file: it must be the executable itself");
        }
        if (Libc.FChmod(exec, Mode0755) != 0)
        {
            throw new ActionCodeException($"cannot make the action's exec file executable: {Errno.Describe(Errno.Last)}");
        }
    }
}
