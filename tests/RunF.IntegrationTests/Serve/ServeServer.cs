using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>
/// A `runf serve` started through the real runf binary (so the exec of runf-serve is covered), or
/// `runf-serve-baselines --runner R` for a benchmark baseline, as the unprivileged test user, on
/// free ports, with its lock file in a directory of its own; its stdout and stderr are collected.
/// Dispose kills it if a test did not stop it.
/// </summary>
public sealed class ServeServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    public int Port { get; }
    public int MetricsPort { get; }
    public string LockFile { get; }
    public HttpClient Client { get; }
    public int Pid => _process.Id;

    private ServeServer(TestEnvironment env, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? extraEnv, string? baseline)
    {
        (Port, MetricsPort) = (FreePort(), FreePort());
        var dir = env.NewDir("serve");
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ff); // 0777: the test user writes the lock file here
        LockFile = Path.Combine(dir, "lock");
        string[] common = ["--port", $"{Port}", "--metrics-port", $"{MetricsPort}", "--lock-file", LockFile, .. args];
        _process = baseline is null
            ? Runf.Start(env, ["serve", .. common], extraEnv)
            : Runf.Start(env, ["--runner", baseline, .. common], extraEnv, program: env.ServeBaselines);
        _process.StandardInput.Close();
        _readers = Task.WhenAll(Collect(_process.StandardOutput, _stdout), Collect(_process.StandardError, _stderr));
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(120) };
    }

    /// <summary>
    /// Starts runf serve (or, with baseline, runf-serve-baselines --runner baseline) with args
    /// (after the ports and lock file) and waits until /_/ready answers 200 (with untilReady
    /// false: until it answers at all).
    /// </summary>
    public static async Task<ServeServer> StartAsync(TestEnvironment env, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? extraEnv = null, string? baseline = null, bool untilReady = true)
    {
        var server = new ServeServer(env, args, extraEnv, baseline);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"runf serve exited {server._process.ExitCode} before it was ready: {server.Stderr}");
            }
            try
            {
                using var ready = await server.Client.GetAsync("/_/ready");
                if (ready.StatusCode == HttpStatusCode.OK || !untilReady)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(20);
        }
        server.Dispose();
        throw new TimeoutException("runf serve was not ready in 20 s: " + server.Stderr);
    }

    public string Stdout
    {
        get { lock (_stdout) { return _stdout.ToString(); } }
    }

    public string Stderr
    {
        get { lock (_stderr) { return _stderr.ToString(); } }
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body) => Client.PostAsync(path, new StringContent(body));

    /// <summary>The value of one sample of /metrics ("name{labels}" as written), 0 when absent.</summary>
    public async Task<double> MetricAsync(string sample)
    {
        using var metrics = new HttpClient();
        var text = await metrics.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// POSTs a file with curl, which reads the response while it sends the request: a streamed
    /// echo of more than the socket buffers hold needs such a client (HttpClient sends the whole
    /// body before it reads, and both ends would wait for each other). The status code.
    /// </summary>
    public async Task<int> CurlPostAsync(string path, string bodyFile, string outputFile)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-sS", "--data-binary", "@" + bodyFile, "-H", "Content-Type: application/octet-stream", "-o", outputFile, "-w", "%{http_code}", $"http://127.0.0.1:{Port}{path}"])
        {
            psi.ArgumentList.Add(a);
        }
        using var curl = Process.Start(psi)!;
        var status = await curl.StandardOutput.ReadToEndAsync();
        var error = await curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return curl.ExitCode == 0 ? int.Parse(status) : throw new InvalidOperationException($"curl failed: {error}");
    }

    public void Terminate() => Runf.Signal(Pid, 15);

    /// <summary>Waits for the exit and the last of its output; the exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"runf serve did not exit in {timeout}: {Stderr}");
        }
        _readers.Wait(timeout);
        return _process.ExitCode;
    }

    /// <summary>The processes below runf serve whose command name is comm (e.g. a function's sleep).</summary>
    public IReadOnlyList<int> Descendants(string comm)
    {
        var found = new List<int>();
        var queue = new Queue<int>([Pid]);
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in Runf.ChildrenOf(pid))
            {
                queue.Enqueue(child);
                if (ReadComm(child) == comm && Runf.StateOf(child) is not null and not 'Z')
                {
                    found.Add(child);
                }
            }
        }
        return found;
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task Collect(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, n);
            }
        }
    }

    /// <summary>A port nothing listens on now (the kernel's choice of an ephemeral one).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
