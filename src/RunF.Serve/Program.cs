using RunF.Runtime.Errors;
using RunF.Serve;
using RunF.Serve.Configuration;

try
{
    var config = ServeArguments.Parse(args, Environment.GetEnvironmentVariable);
    if (config is null)
    {
        Console.Out.WriteLine(ServeArguments.Help());
        return 0;
    }
    return await ServeHost.RunAsync(config);
}
catch (RunfException e)
{
    Console.Error.WriteLine($"runf serve: {e.Message}");
    return e.ExitCode;
}
