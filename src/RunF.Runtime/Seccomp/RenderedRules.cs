using System.Collections;

namespace RunF.Runtime.Seccomp;

/// <summary>Lines produced on first access: a run that prints no plan never renders them.</summary>
internal sealed class RenderedRules(Func<IReadOnlyList<string>> render) : IReadOnlyList<string>
{
    private readonly Lazy<IReadOnlyList<string>> _lines = new(render);

    public int Count => _lines.Value.Count;

    public string this[int index] => _lines.Value[index];

    public IEnumerator<string> GetEnumerator() => _lines.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
