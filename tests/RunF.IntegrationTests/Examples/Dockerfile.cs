using System.Text.Json;

namespace RunF.IntegrationTests.Examples;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), its text after the keyword
/// with continuation lines joined, and the line it starts on.</summary>
public sealed record DockerInstruction(int Line, string Keyword, string Arguments);

/// <summary>
/// A small Dockerfile reader and linter for the examples (no Dockerfile linter is packaged for
/// Debian 12; hadolint is not). It reads the syntax the examples use: comments, parser directives,
/// backslash continuations (joined as Docker does: the backslash and newline removed), shell and JSON (exec) forms. Heredocs are not read: their lines
/// would show up as unknown instructions, so the lint fails rather than passes them unread.
/// </summary>
public static class Dockerfile
{
    public static readonly IReadOnlySet<string> Instructions = new HashSet<string>
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    };

    public static IReadOnlyList<DockerInstruction> Parse(string text)
    {
        var result = new List<DockerInstruction>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var current = new List<string>();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            // Comment lines (parser directives included) are dropped, also inside a continuation.
            if (trimmed.StartsWith('#') || (current.Count == 0 && trimmed.Length == 0))
            {
                continue;
            }
            if (current.Count == 0)
            {
                start = i + 1;
            }
            var continues = line.TrimEnd().EndsWith('\\');
            current.Add(continues ? line.TrimEnd()[..^1] : line);
            if (!continues)
            {
                result.Add(Split(start, string.Concat(current).Trim()));
                current.Clear();
            }
        }
        if (current.Count > 0)
        {
            result.Add(Split(start, string.Concat(current).Trim()));
        }
        return result;
    }

    private static DockerInstruction Split(int line, string text)
    {
        var space = text.IndexOfAny([' ', '\t']);
        return space < 0
            ? new DockerInstruction(line, text.ToUpperInvariant(), "")
            : new DockerInstruction(line, text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
    }

    /// <summary>The exec form's argv if <paramref name="arguments"/> is a JSON array, null for the
    /// shell form.</summary>
    /// <exception cref="JsonException">it starts like a JSON array but is not an array of strings</exception>
    public static string[]? ExecForm(string arguments)
    {
        if (!arguments.StartsWith('['))
        {
            return null;
        }
        var argv = JsonSerializer.Deserialize<JsonElement>(arguments);
        if (argv.ValueKind != JsonValueKind.Array || argv.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new JsonException("not an array of strings");
        }
        return argv.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>The problems of a Dockerfile whose build context is <paramref name="context"/>, one
    /// line each ("line N: ..."); empty when it passes.
    /// <paramref name="ignored"/> holds the build's .dockerignore patterns: a source they exclude is
    /// not in the context the builder sees.</summary>
    public static IReadOnlyList<string> Lint(IReadOnlyList<DockerInstruction> instructions, string context, IReadOnlyList<string> ignored)
    {
        var problems = new List<string>();
        var stages = new List<string?>();
        DockerInstruction? cmd = null, entrypoint = null, user = null;
        foreach (var ins in instructions)
        {
            void Problem(string what) => problems.Add($"line {ins.Line}: {ins.Keyword}: {what}");
            if (!Instructions.Contains(ins.Keyword))
            {
                problems.Add($"line {ins.Line}: unknown instruction {ins.Keyword}");
                continue;
            }
            if (stages.Count == 0 && ins.Keyword is not ("FROM" or "ARG"))
            {
                Problem("comes before the first FROM");
            }
            if (ins.Arguments.Length == 0)
            {
                Problem("has no arguments");
                continue;
            }
            switch (ins.Keyword)
            {
                case "FROM":
                    var from = Words(ins.Arguments).Where(w => !w.StartsWith("--")).ToArray();
                    if (from.Length is not (1 or 3) || (from.Length == 3 && !from[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
                    {
                        Problem("expected IMAGE [AS NAME]");
                    }
                    stages.Add(from.Length == 3 ? from[2] : null);
                    cmd = entrypoint = user = null;
                    break;
                case "COPY" or "ADD":
                    CheckCopy(ins, stages, context, ignored, Problem);
                    break;
                case "CMD":
                    cmd = ins;
                    CheckExecForm(ins, Problem);
                    break;
                case "ENTRYPOINT":
                    entrypoint = ins;
                    CheckExecForm(ins, Problem);
                    break;
                case "RUN" or "SHELL":
                    CheckExecForm(ins, Problem);
                    break;
                case "HEALTHCHECK":
                    CheckHealthcheck(ins, Problem);
                    break;
                case "EXPOSE":
                    foreach (var port in Words(ins.Arguments))
                    {
                        var parts = port.Split('/');
                        if (!ushort.TryParse(parts[0], out var n) || n == 0 || parts.Length > 2 || (parts.Length == 2 && parts[1] is not ("tcp" or "udp")))
                        {
                            Problem($"bad port {port}");
                        }
                    }
                    break;
                case "USER":
                    user = ins;
                    break;
            }
        }
        if (stages.Count == 0)
        {
            problems.Add("no FROM instruction");
            return problems;
        }
        // The image runs runf: the final stage's entry point (or its CMD without one) names it.
        var start = entrypoint ?? cmd;
        if (start is null)
        {
            problems.Add("the final stage has no CMD or ENTRYPOINT");
        }
        else
        {
            string? program;
            try
            {
                program = Dockerfile.ExecForm(start.Arguments)?.FirstOrDefault() ?? Words(start.Arguments).FirstOrDefault();
            }
            catch (JsonException)
            {
                program = null; // reported by CheckExecForm
            }
            if (program is not null && program != "runf" && !program.EndsWith("/runf"))
            {
                problems.Add($"line {start.Line}: the final stage runs {program}, not runf");
            }
        }
        if (user is null || Words(user.Arguments).First().Split(':')[0] is "root" or "0")
        {
            problems.Add("the final stage runs as root (no USER with a non-root uid)");
        }
        return problems;
    }

    private static void CheckExecForm(DockerInstruction ins, Action<string> problem)
    {
        try
        {
            if (Dockerfile.ExecForm(ins.Arguments) is [])
            {
                problem("empty exec form");
            }
        }
        catch (JsonException e)
        {
            problem($"JSON (exec) form does not parse: {e.Message}");
        }
    }

    private static void CheckHealthcheck(DockerInstruction ins, Action<string> problem)
    {
        if (ins.Arguments.Equals("NONE", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var rest = ins.Arguments;
        while (rest.StartsWith("--"))
        {
            var option = rest.Split(' ', 2)[0];
            if (!option.Contains('=') || option.Split('=')[0] is not ("--interval" or "--timeout" or "--start-period" or "--start-interval" or "--retries"))
            {
                problem($"unknown option {option}");
            }
            rest = rest.Length > option.Length ? rest[option.Length..].TrimStart() : "";
        }
        if (!rest.StartsWith("CMD ", StringComparison.OrdinalIgnoreCase))
        {
            problem("expected [OPTIONS] CMD COMMAND or NONE");
            return;
        }
        CheckExecForm(ins with { Arguments = rest[4..].Trim() }, problem);
    }

    private static void CheckCopy(DockerInstruction ins, List<string?> stages, string context, IReadOnlyList<string> ignored, Action<string> problem)
    {
        var words = Words(ins.Arguments);
        var flags = words.TakeWhile(w => w.StartsWith("--")).ToArray();
        var rest = ins.Arguments;
        foreach (var flag in flags)
        {
            rest = rest[(rest.IndexOf(flag, StringComparison.Ordinal) + flag.Length)..].TrimStart();
        }
        string[] paths;
        try
        {
            paths = Dockerfile.ExecForm(rest) ?? Words(rest).ToArray();
        }
        catch (JsonException e)
        {
            problem($"JSON form does not parse: {e.Message}");
            return;
        }
        if (paths.Length < 2)
        {
            problem("expected SOURCE... DEST");
            return;
        }
        var fromFlag = flags.FirstOrDefault(f => f.StartsWith("--from="));
        if (fromFlag is not null)
        {
            var from = fromFlag["--from=".Length..];
            var known = stages.Take(stages.Count - 1).Contains(from)
                || (int.TryParse(from, out var index) && index >= 0 && index < stages.Count - 1)
                || from.Contains(':') || from.Contains('/');
            if (!known)
            {
                problem($"--from={from} names no earlier stage");
            }
            return; // the sources are in that stage, not in the context
        }
        foreach (var source in paths[..^1])
        {
            if (ins.Keyword == "ADD" && (source.Contains("://") || source.StartsWith("git@")))
            {
                continue;
            }
            // A pattern must match something; a plain path must exist, inside the context.
            var full = Path.GetFullPath(Path.Combine(context, source.TrimStart('/')));
            if (!full.StartsWith(Path.GetFullPath(context).TrimEnd('/') + "/") && full != Path.GetFullPath(context).TrimEnd('/'))
            {
                problem($"source {source} is outside the build context");
            }
            else if (IsIgnored(source, ignored))
            {
                problem($"source {source} is excluded by the .dockerignore patterns");
            }
            else if (source.IndexOfAny(['*', '?', '[']) >= 0)
            {
                var dir = Path.GetDirectoryName(full)!;
                if (!Directory.Exists(dir) || Directory.GetFileSystemEntries(dir, Path.GetFileName(full)).Length == 0)
                {
                    problem($"source pattern {source} matches nothing in the build context");
                }
            }
            else if (!File.Exists(full) && !Directory.Exists(full))
            {
                problem($"source {source} does not exist in the build context");
            }
        }
    }

    /// <summary>The patterns of a .dockerignore file (comments and blank lines dropped). Only plain
    /// paths and a leading "**/" are understood, which is all the examples use.</summary>
    public static IReadOnlyList<string> IgnorePatterns(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    private static bool IsIgnored(string source, IReadOnlyList<string> patterns)
    {
        var path = source.Trim('/');
        var segments = path.Split('/');
        foreach (var pattern in patterns)
        {
            var p = pattern.Trim('/');
            if (p.StartsWith("**/"))
            {
                if (segments.Contains(p[3..]))
                {
                    return true;
                }
            }
            else if (path == p || path.StartsWith(p + "/"))
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> Words(string text) =>
        text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
