using System.Security.Cryptography;

namespace RunF.Serve.Fn;

/// <summary>Fn's call ids: ULIDs (48 bits of milliseconds since 1970, 80 random bits, in Crockford's base 32), which sort by time.</summary>
public static class FnCallId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New() => Format(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), RandomNumberGenerator.GetBytes(10));

    /// <summary>The 26 characters of a ULID of milliseconds and ten random bytes.</summary>
    public static string Format(long milliseconds, ReadOnlySpan<byte> random)
    {
        // 128 bits: the time in the top 48, then the random bytes; 26 digits of 5 bits hold 130, the first two always 0.
        var value = (UInt128)(ulong)milliseconds << 80;
        for (var i = 0; i < 10; i++)
        {
            value |= (UInt128)random[i] << (8 * (9 - i));
        }
        Span<char> text = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            text[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(text);
    }
}
