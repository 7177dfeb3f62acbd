namespace RunF.RootfsTools.Tests;

/// <summary>
/// Entry point of the test assembly, used only by <see cref="RootlessTests"/>: it runs the
/// extractor in a process of its own, which setpriv can start as an unprivileged user.
/// Usage: dotnet exec RunF.RootfsTools.Tests.dll ARCHIVE OUTPUT
/// </summary>
public static class RootlessHost
{
    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: RunF.RootfsTools.Tests ARCHIVE OUTPUT");
            return 2;
        }
        try
        {
            var result = RootfsExtractor.Extract(new ExtractOptions(args[0], args[1]), CancellationToken.None);
            Console.Error.WriteLine(result.Summary());
            return 0;
        }
        catch (RootfsException e)
        {
            Console.Error.WriteLine("runf: " + e.Message);
            return 125;
        }
    }
}
