using System.Runtime.Versioning;

// The tests drive Linux-only behaviour (unix modes, setpriv, mounts).
[assembly: SupportedOSPlatform("linux")]
