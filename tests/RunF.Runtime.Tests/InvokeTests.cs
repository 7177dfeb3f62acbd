using System.Text;
using RunF.Runtime.Invoke;
using Xunit;

namespace RunF.Runtime.Tests;

public class InvokeTests
{
    [Fact]
    public void InvocationVariablesReplaceTheFunctionsAndTheLastOneWins()
    {
        var merged = EnvironmentMerge.Apply(["PATH=/bin", "HOME=/root", "A=1"], ["A=2", "Http_Method=GET", "A=3"]);
        Assert.Equal(["PATH=/bin", "HOME=/root", "Http_Method=GET", "A=3"], merged);
    }

    [Fact]
    public void NoInvocationVariablesLeavesTheEnvironmentAsItIs()
    {
        IReadOnlyList<string> env = ["PATH=/bin"];
        Assert.Same(env, EnvironmentMerge.Apply(env, []));
    }

    [Fact]
    public async Task StderrIsSplitIntoLinesOfAtMostFourKiB()
    {
        var text = "one\n\ntwo\n" + new string('x', 4096 + 10) + "\nlast without newline";
        var lines = new List<string>();
        await LineSplitter.ReadLinesAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), lines.Add);
        Assert.Equal(["one", "", "two", new string('x', 4096), new string('x', 10), "last without newline"], lines);
    }

    [Fact]
    public async Task OutputIsDeliveredWhole()
    {
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var output = new MemoryStream();
        var delivered = await StreamPumps.OutputAsync(new MemoryStream(data), output, () => throw new InvalidOperationException("no failure expected"));
        Assert.Equal(data.Length, delivered);
        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public async Task AFailedWriteKillsOnceAndTheRestIsDrained()
    {
        var source = new MemoryStream(new byte[1_000_000]);
        var kills = 0;
        var delivered = await StreamPumps.OutputAsync(source, new FailingStream(), () => kills++);
        Assert.Equal(0, delivered);
        Assert.Equal(1, kills);
        Assert.Equal(source.Length, source.Position);
    }

    [Fact]
    public async Task InputThatTheFunctionRefusesIsNotAnError()
    {
        var stdin = new FailingStream();
        await StreamPumps.InputAsync(new MemoryStream(new byte[100_000]), stdin, CancellationToken.None);
        Assert.True(stdin.Disposed);
    }

    private sealed class FailingStream : Stream
    {
        public bool Disposed { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
