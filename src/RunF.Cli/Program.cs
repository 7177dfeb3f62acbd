using System.Diagnostics;
using RunF.Cli;

return RunfCommandLine.Invoke(args, Stopwatch.GetTimestamp());
