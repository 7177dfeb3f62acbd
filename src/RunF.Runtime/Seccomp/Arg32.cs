namespace RunF.Runtime.Seccomp;

/// <summary>
/// Conditions on an argument the kernel reads as a 32-bit int (a socket family, a personality,
/// an ioctl request). A filter sees the full 64-bit register, and libseccomp compares both
/// halves: a plain "== 40" misses 0x1_00000028, which the kernel still reads as 40, and a plain
/// "!= 40" lets it through (the flatpak CVE-2017-5226 class). Every condition here masks the
/// high half away with SCMP_CMP_MASKED_EQ.
/// </summary>
public static class Arg32
{
    private const ulong Low32 = 0xFFFFFFFFUL;

    /// <summary>The low 32 bits of argument `index` equal `value`.</summary>
    public static ArgCondition Equal(uint index, uint value) =>
        new() { Index = index, Value = Low32, ValueTwo = value, Op = "SCMP_CMP_MASKED_EQ" };

    /// <summary>
    /// "Any value but these" on the low 32 bits, which libseccomp offers no way to say directly
    /// in an allow list: an unconditional allow overrides any deny rule for the same syscall,
    /// and a rule takes one condition per argument. The complement is covered by prefixes of the
    /// low 32 bits instead: one condition (one allow rule) per subtree of the binary trie that
    /// holds no excluded value, 32 for one value, about 34 for two nearby ones.
    /// </summary>
    public static IReadOnlyList<ArgCondition> AllBut(uint index, IReadOnlyCollection<uint> excluded)
    {
        var conditions = new List<ArgCondition>();
        Cover(index, 0, 0, [.. excluded.Distinct()], conditions);
        return conditions;
    }

    /// <summary>Covers the values starting with the top `length` bits of `prefix`, minus `excluded`.</summary>
    private static void Cover(uint index, uint prefix, int length, List<uint> excluded, List<ArgCondition> into)
    {
        if (excluded.Count == 0)
        {
            var mask = length == 0 ? 0UL : (Low32 << (32 - length)) & Low32;
            into.Add(new ArgCondition { Index = index, Value = mask, ValueTwo = prefix, Op = "SCMP_CMP_MASKED_EQ" });
            return;
        }
        if (length == 32)
        {
            return; // the excluded value itself
        }
        var bit = 1u << (31 - length);
        Cover(index, prefix, length + 1, excluded.Where(v => (v & bit) == 0).ToList(), into);
        Cover(index, prefix | bit, length + 1, excluded.Where(v => (v & bit) != 0).ToList(), into);
    }
}
