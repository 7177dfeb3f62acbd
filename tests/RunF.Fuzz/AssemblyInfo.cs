using System.Runtime.Versioning;

// The targets are Linux code (openat2, statx, seccomp), as RunF is.
[assembly: SupportedOSPlatform("linux")]
