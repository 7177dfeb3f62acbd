using System.Diagnostics;
using System.Text.Json.Nodes;

namespace RunF.IntegrationTests.Examples;

/// <summary>
/// Reads every document of a YAML stream with PyYAML (Debian's python3-yaml, test.sh installs it)
/// and hands them back as JSON. The loader is PyYAML's safe loader made stricter: a key given twice
/// in one mapping is an error (PyYAML would keep the last one silently, as kubectl would).
/// </summary>
public static class Yaml
{
    // Debian's interpreter, not whatever python3 comes first on PATH: python3-yaml installs there.
    private const string Python = "/usr/bin/python3";

    private const string Loader = """
        import json, sys, yaml

        class StrictLoader(yaml.SafeLoader):
            def construct_mapping(self, node, deep=False):
                seen = set()
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=deep)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark,
                            "found duplicate key %r" % (key,), key_node.start_mark)
                    seen.add(key)
                return super().construct_mapping(node, deep=deep)

        StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, StrictLoader.construct_mapping)
        try:
            docs = list(yaml.load_all(sys.stdin, Loader=StrictLoader))
        except yaml.YAMLError as e:
            sys.stderr.write(str(e) + "\n")
            sys.exit(1)
        json.dump(docs, sys.stdout, default=str)
        """;

    /// <summary>The documents of <paramref name="text"/>, in order; an empty document is null.</summary>
    /// <exception cref="FormatException">the text is not valid YAML; the message has PyYAML's line and column</exception>
    public static IReadOnlyList<JsonNode?> ParseAll(string text)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: run test.sh as root (it installs python3 and python3-yaml)");
        }
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Loader);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            var message = stderr.Result.Trim();
            if (message.Contains("No module named 'yaml'"))
            {
                throw new InvalidOperationException("python3-yaml is missing: run test.sh as root (it installs it)");
            }
            throw new FormatException(message);
        }
        return JsonNode.Parse(stdout.Result)!.AsArray().ToList();
    }
}
