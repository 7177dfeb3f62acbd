using RunF.Interop;
using RunF.Runtime.Errors;
using RunF.Serve;
using RunF.Serve.Configuration;

return Failures.Report(() => Serve(args), "runf serve");

static int Serve(string[] args)
{
    var config = ServeArguments.Parse(PosixArguments.Recover(args), PosixEnvironment.Get);
    if (config is null)
    {
        Console.Out.WriteLine(ServeArguments.Help());
        return 0;
    }
    // Blocking here keeps one failure path for the agent: its exceptions reach Failures unwrapped.
    return ServeHost.RunAsync(config).GetAwaiter().GetResult();
}
