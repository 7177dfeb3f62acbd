using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>RLIMIT_NOFILE 1024, hard: descriptors run out with EMFILE and the limit cannot be raised.</summary>
[Collection(AttackCollection.Name)]
public class RlimitAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "RLIMIT_NOFILE")
{
    [Fact]
    public void Opening_files_stops_at_the_limit_with_EMFILE() =>
        // 1024 minus stdin, stdout and stderr.
        Blocked("open /dev/null until failure", "1021 EMFILE", "exhaust-fds");

    [Fact]
    public void Raising_the_hard_limit_fails_with_EPERM() => Blocked("setrlimit(NOFILE, hard + 1)", "EPERM", "raise-nofile");
}
