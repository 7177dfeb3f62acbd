namespace RunF.Fuzz;

/// <summary>What every target shares.</summary>
internal static class Harness
{
    /// <summary>The one-line refusals of the last input (what the user would have read), for replays.</summary>
    public static List<string> Refusals { get; } = [];

    /// <summary>Records an input's refusal: the error line a hostile input should get.</summary>
    public static void Refused(Exception e) => Refusals.Add(e.Message);

    /// <summary>
    /// Builds a target's real input from the fuzzer's bytes; null when the bytes describe
    /// something the builder itself cannot write (a PAX attribute TarWriter refuses): such an
    /// input is uninteresting, not a finding.
    /// </summary>
    public static T? Build<T>(Func<T> build) where T : class
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException or OverflowException)
        {
            return null;
        }
    }
}
