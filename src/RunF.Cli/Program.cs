using System.Diagnostics;
using RunF.Cli;
using RunF.Interop;

return RunfCommandLine.Invoke(PosixArguments.Recover(args), Stopwatch.GetTimestamp());
