using RunF.Fuzz;
using RunF.Fuzz.Targets;
using SharpFuzz;

// RunF.Fuzz TARGET            under afl-fuzz: SharpFuzz's fork server, one input per run
// RunF.Fuzz TARGET FILE...    replays inputs (a crash's, a seed's) and prints what each did
var targets = new Dictionary<string, Action<byte[]>>
{
    ["archive"] = ArchiveTarget.Run,
    ["layer"] = LayerTarget.Run,
    ["image-config"] = ImageConfigTarget.Run,
    ["seccomp"] = SeccompTarget.Run,
};
if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: RunF.Fuzz {string.Join("|", targets.Keys)} [FILE...]");
    return 2;
}
if (args.Length == 1)
{
    // Out of process: the fork server outlives an input that hangs or overflows the stack.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        Harness.Refusals.Clear();
        using var input = new MemoryStream();
        stream.CopyTo(input);
        target(input.ToArray());
    });
    return 0;
}
return Replay.Files(target, args[1..]);
