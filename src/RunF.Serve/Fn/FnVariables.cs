using RunF.Runtime.Spec;
using RunF.Serve.Configuration;

namespace RunF.Serve.Fn;

/// <summary>
/// The variables Fn's agent gives a hot container: FN_LISTENER and FN_FORMAT (the contract: where
/// the FDK listens, and how it speaks), FN_APP_ID, FN_FN_ID, FN_MEMORY (MB) and FN_TYPE (sync),
/// plus FN_APP_NAME and FN_FN_NAME, which the FDKs read (ctx.appName) and older agents set. Fn
/// adds its app's and function's config as variables too: here they are -e, --env-file and the
/// agent's own environment, which these follow, so that the contract's two cannot be overridden.
/// </summary>
public static class FnVariables
{
    /// <summary>FN_MEMORY without --memory: Fn's default memory, 128 MB (no limit applies then).</summary>
    public const long DefaultMemoryMb = 128;

    public static IReadOnlyList<string> Of(ServeConfig config) =>
    [
        $"FN_APP_ID={config.FnAppId}",
        $"FN_FN_ID={config.FnFnId}",
        $"FN_APP_NAME={config.FnAppName}",
        $"FN_FN_NAME={config.FnFnName}",
        $"FN_MEMORY={MemoryMb(config.Memory)}",
        "FN_TYPE=sync",
        $"FN_LISTENER={FnSocketEndpoint.Listener}",
        "FN_FORMAT=http-stream",
    ];

    /// <summary>--memory in MB, as Fn counts a function's memory (a part of a MB counts as one).</summary>
    private static long MemoryMb(string? memory) =>
        memory is null ? DefaultMemoryMb : Math.Max(1, (ByteSize.Parse(memory, "memory") + (1L << 20) - 1) >> 20);
}
