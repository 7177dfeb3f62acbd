namespace RunF.Serve.OpenWhisk;

/// <summary>
/// An /init whose action cannot be installed: bad fields, code that is not base64, a zip that is
/// unreadable, too large or hostile. The message is one line naming what is wrong, for the log
/// (actionproxy.py's answer only says to see the logs).
/// </summary>
internal sealed class ActionCodeException(string message) : Exception(message);
