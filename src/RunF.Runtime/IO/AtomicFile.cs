namespace RunF.Runtime.IO;

/// <summary>Whole-file writes that a concurrent reader sees complete or not at all.</summary>
internal static class AtomicFile
{
    public static string TemporaryPathFor(string path) => $"{path}.{Environment.ProcessId}.tmp";

    /// <summary>Writes beside the target and renames over it; the temporary file never outlives a failure.</summary>
    public static void Write(string path, byte[] bytes)
    {
        var temp = TemporaryPathFor(path);
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
