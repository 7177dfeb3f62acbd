// A failed libc call in the runtime becomes a RunfException: one line, exit code 125.
global using CheckIo = RunF.Interop.CheckIo<RunF.Runtime.Errors.RunfException>;
