namespace RunF.Serve.OpenWhisk;

/// <summary>
/// The error texts of OpenWhisk's own proxies, word for word: OpenWhisk's tools and users know
/// them. actionproxy.py (dockerskeleton) serves mode=openwhisk, the Go actionloop proxy
/// mode=openwhisk-loop; both share the first ones.
/// </summary>
internal static class ProxyWording
{
    public const string Sentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    public const string InitializedTwice = "Cannot initialize the action more than once.";

    public const string NotDictionaryOrArray = "The action did not return a dictionary or array.";

    /// <summary>actionproxy.py: a /run whose body or "value" is neither an object nor an array.</summary>
    public const string ArgumentNotDictionaryOrArray = "The action did not receive a dictionary or array as an argument.";

    /// <summary>actionproxy.py: an /init whose code could not be installed (the reason goes to the log).</summary>
    public const string CannotInstall = "The action failed to generate or locate a binary. See logs for details.";

    /// <summary>actionproxy.py: a /run with no action to run (no /init with code, no fprocess).</summary>
    public const string NoBinary = "The action failed to locate a binary. See logs for details.";

    /// <summary>The Go proxy: an /init without code.</summary>
    public const string NoCode = "Missing main/no code to execute.";

    /// <summary>The Go proxy: a /run before any action was installed.</summary>
    public const string NoActionYet = "no action defined yet";

    /// <summary>The Go proxy: the action's process ended without writing its result.</summary>
    public const string CommandExited = "command exited";
}
