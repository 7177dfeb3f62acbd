using System.Runtime.InteropServices;

namespace RunF.Interop;

/// <summary>
/// The open flags whose values depend on the architecture: arm's, arm64's and powerpc's
/// asm/fcntl.h override the asm-generic values that x86-64 (and riscv64, s390x, loongarch64)
/// use. A flag taken from the wrong table is another flag: on arm64, x86-64's O_DIRECTORY is
/// O_DIRECT, and its O_NOFOLLOW is O_LARGEFILE, which would follow the symlink it meant to refuse.
/// </summary>
public static partial class Libc
{
    // Properties, not static fields: NativeAOT folds the architecture to a constant, so no static
    // constructor runs on the start path.
    public static int O_DIRECTORY => OpenFlagsOf(RuntimeInformation.ProcessArchitecture).Directory;

    public static int O_NOFOLLOW => OpenFlagsOf(RuntimeInformation.ProcessArchitecture).NoFollow;

    internal static (int Directory, int NoFollow) OpenFlagsOf(Architecture architecture) =>
        architecture is Architecture.Arm64 or Architecture.Arm or Architecture.Ppc64le ? (0x4000, 0x8000) : (0x10000, 0x20000);
}
