using System.Runtime.Versioning;

// The action installer's tests read unix modes.
[assembly: SupportedOSPlatform("linux")]
