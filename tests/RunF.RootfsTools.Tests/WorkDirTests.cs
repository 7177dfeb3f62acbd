using RunF.Interop;
using RunF.RootfsTools.Output;
using RunF.RootfsTools.Safety;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// The work directory's lock protocol against sweeps running at the same time (in one process:
/// flock locks belong to open files, so two opens of the lock conflict as two processes do).
/// </summary>
public sealed class WorkDirTests : IDisposable
{
    private const int Rounds = 3000;
    private readonly Scratch _scratch = new();

    [Fact]
    public void ASweepNeverRemovesAWorkDirectoryOnceItIsCreated()
    {
        bool stop = false;
        Exception? sweepFailure = null;
        var sweeper = new Thread(() =>
        {
            try
            {
                while (!Volatile.Read(ref stop))
                {
                    Leftovers.Sweep(_scratch.Path);
                }
            }
            catch (Exception e)
            {
                sweepFailure = e;
            }
        });
        sweeper.Start();
        try
        {
            for (int i = 0; i < Rounds; i++)
            {
                using var work = WorkDir.Create(_scratch.Path, "out");
                // What an extraction does next: a sweep that removed the directory makes this fail.
                Assert.True(Libc.MkDir(Path.Combine(work.Path, "rootfs"), Mode.Perm0700) == 0,
                    $"round {i}: {work.Path} was removed under its extraction ({Errno.Describe(Errno.Last)})");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            sweeper.Join();
        }
        Assert.Null(sweepFailure);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch.Path));
    }

    [Theory]
    [InlineData(".out.runf-0123456789ab", true)]
    [InlineData(".a.b.runf-ffffffffffff", true)]
    [InlineData("out.runf-0123456789ab", false)]
    [InlineData(".out.runf-0123456789AB", false)]
    [InlineData(".out.runf-0123456789a", false)]
    [InlineData(".runf-0123456789ab", false)]
    [InlineData(".out.runf-0123456789abc", false)]
    public void WorkDirectoryNames(string name, bool matches)
    {
        Assert.Equal(matches, WorkDir.IsWorkDirName(name));
    }

    public void Dispose() => _scratch.Dispose();
}
