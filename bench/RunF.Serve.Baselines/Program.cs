using RunF.Runtime.Errors;
using RunF.Serve;
using RunF.Serve.Baselines;
using RunF.Serve.Configuration;

return Failures.Report(() => Serve(args), "runf-serve-baselines");

static int Serve(string[] args)
{
    var config = ServeArguments.Parse(args, Environment.GetEnvironmentVariable, BaselineRunner.Settings, out var given);
    if (config is null)
    {
        Console.Out.WriteLine(BaselineRunner.Help());
        return 0;
    }
    var runner = BaselineRunner.Of(given, config.Mode);
    return ServeHost.RunAsync(config, runner.Name, runner.CreateAsync).GetAwaiter().GetResult();
}
