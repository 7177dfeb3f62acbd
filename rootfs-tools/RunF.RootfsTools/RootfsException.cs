namespace RunF.RootfsTools;

/// <summary>
/// A failure the user can act on: a bad archive, a bad argument, a safety violation or an I/O
/// error. The message is one lowercase line without a trailing period that names the entry,
/// layer or path involved; the CLI prints it after "runf: ".
/// </summary>
public sealed class RootfsException : Exception
{
    public RootfsException(string message) : base(message)
    {
    }

    public RootfsException(string message, Exception inner) : base(message, inner)
    {
    }
}
