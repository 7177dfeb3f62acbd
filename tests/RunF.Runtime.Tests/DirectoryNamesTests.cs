using System.Text;
using RunF.Runtime.Interop;

namespace RunF.Runtime.Tests;

/// <summary>The getdents64 listing and the exact-size file read that a run uses instead of .NET's file enumerator and streams.</summary>
public sealed class DirectoryNamesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("runf-names-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lists_every_entry_but_dot_and_dotdot_across_several_reads()
    {
        // 300 names of ~60 bytes fill more than one 8 KiB getdents64 buffer.
        var expected = Enumerable.Range(0, 300).Select(i => $"container-{i:D4}-{new string('x', 40)}.json").Append("sub").Append("é-ü.json").ToHashSet();
        foreach (var name in expected.Where(n => n != "sub"))
        {
            File.WriteAllText(Path.Combine(_dir, name), "");
        }
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));

        var names = DirectoryNames.Of(_dir);

        Assert.Equal(expected.Count, names.Count);
        Assert.Equal(expected, names.ToHashSet());
    }

    [Fact]
    public void A_missing_directory_has_no_names() => Assert.Empty(DirectoryNames.Of(Path.Combine(_dir, "missing")));

    [Theory]
    [InlineData(0)]
    [InlineData(4000)]
    [InlineData(8192)]
    [InlineData(20000)]
    public void Reads_a_whole_file_of_any_size(int size)
    {
        var path = Path.Combine(_dir, "f");
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + i % 26))));
        File.WriteAllBytes(path, bytes);

        Assert.Equal(bytes, Libc.ReadFile(path));
        Assert.Null(Libc.ReadFile(Path.Combine(_dir, "missing")));
    }
}
