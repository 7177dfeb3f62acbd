namespace RunF.Fuzz;

/// <summary>Runs a target on saved inputs outside afl-fuzz: the triage of a campaign's crashes and hangs.</summary>
internal static unsafe class Replay
{
    private const int MapSize = 1 << 16;

    public static int Files(Action<byte[]> target, IEnumerable<string> files)
    {
        // Instrumented assemblies write their coverage to SharpFuzz's map, which only the fork
        // server sets up: a replay of the instrumented build gives them one of its own.
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(MapSize);
        int failed = 0;
        // Full paths first: a target works in its sandbox, which it makes the working directory.
        foreach (var file in files.Select(Path.GetFullPath).ToList())
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Harness.Refusals.Clear();
            try
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: ok ({clock.ElapsedMilliseconds} ms){string.Concat(Harness.Refusals.Select(r => "\n  refused: " + r))}");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: FINDING ({clock.ElapsedMilliseconds} ms): {e}");
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
