using System.Text;
using RunF.Interop;

namespace RunF.Runtime.Tests;

/// <summary>WholeFile.Read: a whole file through read(2), into one array of its size.</summary>
public sealed class WholeFileReadTests : TempDirectoryTest
{
    [Theory]
    [InlineData(0)]
    [InlineData(4000)]
    [InlineData(8192)]
    [InlineData(20000)]
    public void Reads_a_whole_file_of_any_size(int size)
    {
        var path = Path.Combine(Dir, "f");
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + i % 26))));
        File.WriteAllBytes(path, bytes);

        Assert.Equal(bytes, WholeFile.Read(path));
    }

    [Fact]
    public void A_missing_file_is_null() => Assert.Null(WholeFile.Read(Path.Combine(Dir, "missing")));
}
