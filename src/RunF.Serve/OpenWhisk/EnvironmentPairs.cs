namespace RunF.Serve.OpenWhisk;

/// <summary>What a name and value must be to become one KEY=VALUE entry of an action's environment.</summary>
internal static class EnvironmentPairs
{
    /// <summary>Why name=value cannot be one variable, or null when it can.</summary>
    public static string? Problem(string name, string value) =>
        name.Length == 0 ? "a variable has an empty name"
        : name.Contains('=') ? $"variable \"{name}\": a name cannot contain '='"
        : name.Contains('\0') || value.Contains('\0') ? $"variable \"{name.Replace("\0", "\\0")}\": a name or value cannot contain a NUL character"
        : null;
}
