using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

internal static class SpecFixtures
{
    public static ContainerSpec Create(RunRequest? request = null, ImageDefaults? image = null, Func<string, string?>? hostEnv = null,
        RunF.Runtime.Identity.ContainerIdentity? identity = null, TerminalSize hostTerminal = default) =>
        SpecFactory.Create(request ?? new RunRequest { Command = ["sh", "-c", "true"] }, "/srv/rootfs", "zen_turing", image,
            RunF.Runtime.Seccomp.SeccompFilters.Load((request ?? new RunRequest()).Seccomp, cacheDir: null),
            identity ?? new(RunF.Runtime.Plan.IdMaps.RootAs(1000, 1000), null), hostEnv ?? (_ => null), hostTerminal);
}

internal static class PlanBytes
{
    /// <summary>A plan serialized into a managed array, as NativePlan writes it into native memory.</summary>
    public static byte[] Of(RunF.Runtime.Plan.SetupPlan plan, bool timing = false)
    {
        var buffer = new byte[RunF.Runtime.Plan.PlanSerializer.SizeOf(plan)];
        RunF.Runtime.Plan.PlanSerializer.Write(plan, timing, buffer);
        return buffer;
    }
}
