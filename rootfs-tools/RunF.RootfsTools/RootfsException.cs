using RunF.Interop;

namespace RunF.RootfsTools;

/// <summary>
/// A failure the user can act on: a bad archive, a bad argument, a safety violation or an I/O
/// error. The message is one lowercase line without a trailing period that names the entry,
/// layer or path involved; the CLI prints it after "runf: ".
/// </summary>
public sealed class RootfsException : Exception, IIoException<RootfsException>
{
    public RootfsException(string message) : base(message)
    {
    }

    public RootfsException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The errno's text lowercase too: the line goes on after the layer and entry it concerns.</summary>
    public static RootfsException FromIoError(string operation, string path, int errno) =>
        new(IoError.Message(operation, path, Errno.Describe(errno).ToLowerInvariant()));
}
