// Does nothing, or sleeps for the milliseconds given (for the peak RSS poll, which needs a process
// that lives for a while).
if (args is [var ms])
{
    Thread.Sleep(int.Parse(ms));
}
return 0;
