namespace RunF.Runtime.Seccomp;

/// <summary>A validated profile in libseccomp's terms: what the compiler feeds to the library.</summary>
public sealed record ResolvedProfile(uint DefaultAction, IReadOnlyList<uint> Architectures, IReadOnlyList<ResolvedRule> Rules);

/// <summary>A rule with its action value; Field ("syscalls[3]") names it in errors.</summary>
public sealed record ResolvedRule(string Field, IReadOnlyList<string> Names, uint Action, IReadOnlyList<ResolvedArg> Args);

/// <summary>libseccomp's struct scmp_arg_cmp: for MASKED_EQ, A is the mask and B the value.</summary>
public readonly record struct ResolvedArg(uint Index, int Op, ulong A, ulong B);
