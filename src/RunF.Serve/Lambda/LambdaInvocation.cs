using System.Security.Cryptography;

namespace RunF.Serve.Lambda;

/// <summary>
/// One invocation: the event and what the runtime API tells the runtime about it, and its
/// outcome, set once (by the runtime's answer, its init error, its death, or the timeout).
/// </summary>
public sealed class LambdaInvocation(byte[] payload, DateTimeOffset deadline, string traceId, string? clientContext, string? cognitoIdentity)
{
    private readonly TaskCompletionSource<LambdaOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lambda-Runtime-Aws-Request-Id: a random UUID, as the emulator's.</summary>
    public string RequestId { get; } = Guid.NewGuid().ToString();

    public byte[] Payload => payload;
    public DateTimeOffset Deadline => deadline;
    public string TraceId => traceId;
    public string? ClientContext => clientContext;
    public string? CognitoIdentity => cognitoIdentity;

    public Task<LambdaOutcome> Outcome => _outcome.Task;

    public bool IsAnswered => _outcome.Task.IsCompleted;

    /// <summary>Sets the outcome; false when it was already set (the first answer wins).</summary>
    public bool Answer(LambdaOutcome outcome) => _outcome.TrySetResult(outcome);

    /// <summary>
    /// The client's X-Amzn-Trace-Id, else a new root as X-Ray writes one
    /// (Root=1-{epoch seconds, hex}-{96 random bits, hex};Parent={64 random bits};Sampled=0).
    /// </summary>
    public static string TraceIdFor(string? given)
    {
        if (given is { Length: > 0 })
        {
            return given;
        }
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"Root=1-{epoch:x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))};Parent={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))};Sampled=0";
    }
}

/// <summary>
/// How an invocation ended. IsError: a function error (Lambda's X-Amz-Function-Error: Unhandled),
/// with Body the error document; else Body is the runtime's response. Status is the invoke
/// answer's: 200 for both (as Lambda's Invoke API), 500 when runf could not run the function.
/// </summary>
public sealed record LambdaOutcome(int Status, byte[] Body, string ContentType, bool IsError, string? ErrorType)
{
    public const string Json = "application/json";

    public static LambdaOutcome Response(byte[] body, string? contentType) =>
        new(200, body, contentType is { Length: > 0 } ? contentType : Json, false, null);

    /// <summary>The runtime's own error document (invocation/error, init/error), passed on as it came.</summary>
    public static LambdaOutcome FunctionError(byte[] document, string errorType) => new(200, document, Json, true, errorType);

    /// <summary>An error Lambda makes itself: {"errorType":..., "errorMessage":"RequestId: ID Error: ..."}.</summary>
    public static LambdaOutcome PlatformError(string errorType, string requestId, string message) =>
        new(200, ErrorDocuments.Document(errorType, $"RequestId: {requestId} Error: {message}"), Json, true, errorType);
}
