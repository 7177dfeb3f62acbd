namespace RunF.Interop;

/// <summary>
/// An exception CheckIo can throw. Each project keeps its own type (RunfException in the
/// runtime, RootfsException in the rootfs tools), made with IoError.Message's line; the project
/// says what carries it and how it words the errno.
/// </summary>
public interface IIoException<TSelf> where TSelf : Exception, IIoException<TSelf>
{
    static abstract TSelf FromIoError(string operation, string path, int errno);
}
