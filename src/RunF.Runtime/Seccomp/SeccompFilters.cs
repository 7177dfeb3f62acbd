using System.Text.Json;
using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Seccomp;

/// <summary>A compiled filter for the plan, and its rules for --dry-run.</summary>
public sealed record SeccompFilter(string Source, byte[] Program, IReadOnlyList<string> Rules);

/// <summary>
/// Turns the --seccomp option (default, unconfined or a profile file) into a compiled filter:
/// parse, validate, then the cached program or a fresh compile.
/// </summary>
public static class SeccompFilters
{
    public const string Default = "default", Unconfined = "unconfined";

    /// <summary>
    /// The filter for the option, or null for unconfined. cacheDir null: no cache. capabilities:
    /// the container's (their numbers), which decide a Docker profile's conditional rules; named
    /// only when a profile is resolved, never on a cached start.
    /// </summary>
    public static SeccompFilter? Load(string option, string? cacheDir, IReadOnlyList<int>? capabilities = null)
    {
        if (option == Unconfined)
        {
            return null;
        }
        var isDefault = option == Default;
        var source = isDefault ? "default profile" : $"profile {option}";
        // The built-in profile is neither built, validated nor hashed on a cache hit: its cache
        // entry is keyed by the runf binary, which compiled it in (bench/README.md has the saving).
        var profile = new Lazy<SeccompProfile>(() => isDefault ? DefaultProfile.Profile : Parse(option));
        var resolved = new Lazy<ResolvedProfile>(() => ProfileValidator.Resolve(profile.Value, SeccompContext.Host((capabilities ?? []).Select(Spec.Capabilities.NameOf))));
        try
        {
            if (!isDefault)
            {
                _ = resolved.Value; // a user's profile is checked before anything else happens
            }
            byte[] Compile() => SeccompCompiler.Compile(resolved.Value);
            var program = cacheDir is null
                ? Compile()
                : new SeccompCache(cacheDir).GetOrCompile(isDefault ? SeccompCache.PathForBuiltIn(cacheDir) : null, resolved, Compile);
            // Rendered only when printed (--dry-run): rendering on every start would cost more than the rest of the filter's setup.
            return new SeccompFilter(source, program, new RenderedRules(() => [$"{source}, {program.Length / 8} BPF instructions", .. SeccompRenderer.Render(profile.Value, resolved.Value)]));
        }
        catch (ProfileException e)
        {
            throw Error(option, e.Message);
        }
    }

    public static SeccompProfile Parse(string file)
    {
        if (Libc.IsDirectory(file))
        {
            throw Error(file, "cannot read it: it is a directory");
        }
        var json = WholeFile.Read(file) ?? throw Error(file, $"cannot read it: {Errno.Describe(Errno.Last)}");
        return Parse(json, file);
    }

    internal static SeccompProfile Parse(byte[] json, string file)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SeccompJsonContext.Default.SeccompProfile)
                ?? throw Error(file, "not a JSON object");
        }
        catch (JsonException e)
        {
            // The message is a resource key in the trimmed binary; the path and line say enough.
            var field = e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.') + ": ";
            throw Error(file, $"{field}invalid JSON at line {e.LineNumber + 1}");
        }
    }

    /// <summary>The cache inside a state directory: a subdirectory, since the state directory's files are the running containers.</summary>
    public static string? CacheIn(string stateDirectory)
    {
        try
        {
            return Directory.CreateDirectory(Path.Combine(stateDirectory, "seccomp")).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no cache: each run compiles
        }
    }

    private static RunfException Error(string file, string problem) => new($"seccomp profile {file}: {problem}");
}
