namespace RunF.Runtime.Seccomp;

/// <summary>
/// Builds "any ioctl request except these" for an allow-list profile, where libseccomp offers no
/// way to say it directly: an unconditional allow overrides any deny rule for the same syscall,
/// and a rule takes one condition per argument. The kernel reads the request as a 32-bit
/// unsigned int, so a 64-bit "!= TIOCSTI" would be bypassed by setting high bits (the flatpak
/// CVE-2017-5226 class). Instead the complement is covered by prefixes of the low 32 bits: one
/// SCMP_CMP_MASKED_EQ rule per subtree of the binary trie that holds no excluded value (about 34
/// rules for two nearby values, evaluated only for ioctl).
/// </summary>
public static class IoctlCover
{
    /// <summary>The request argument of ioctl(fd, request, arg).</summary>
    public const uint RequestArg = 1;

    public static IReadOnlyList<ArgCondition> AllowAllBut(IReadOnlyCollection<uint> excluded)
    {
        var conditions = new List<ArgCondition>();
        Cover(0, 0, [.. excluded.Distinct()], conditions);
        return conditions;
    }

    /// <summary>Covers the values starting with the top `length` bits of `prefix`, minus `excluded`.</summary>
    private static void Cover(uint prefix, int length, List<uint> excluded, List<ArgCondition> into)
    {
        if (excluded.Count == 0)
        {
            var mask = length == 0 ? 0UL : (0xFFFFFFFFUL << (32 - length)) & 0xFFFFFFFFUL;
            into.Add(new ArgCondition { Index = RequestArg, Value = mask, ValueTwo = prefix, Op = "SCMP_CMP_MASKED_EQ" });
            return;
        }
        if (length == 32)
        {
            return; // the excluded value itself
        }
        var bit = 1u << (31 - length);
        Cover(prefix, length + 1, excluded.Where(v => (v & bit) == 0).ToList(), into);
        Cover(prefix | bit, length + 1, excluded.Where(v => (v & bit) != 0).ToList(), into);
    }
}
