using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace RunF.Cli.Logging;

/// <summary>
/// Serilog to stderr, never stdout (stdout belongs to the function). Nothing is set up unless
/// asked for: a plain run pays no logging start-up cost.
/// </summary>
public static class LogSetup
{
    public static void Configure(bool verbose, string format)
    {
        if (!verbose)
        {
            return;
        }
        var config = new LoggerConfiguration().MinimumLevel.Verbose();
        Log.Logger = format == "json"
            ? config.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger()
            : config.WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}").CreateLogger();
    }
}
