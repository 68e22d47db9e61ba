using System.Runtime.InteropServices;
using NoiseSam.Cli;

using var cancel = new CancellationTokenSource();
bool terminated = false;
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop after the current step and write what is done; a second one kills.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
// SIGTERM (kill, a batch scheduler, a container stop) is handled like Ctrl+C: the current step
// ends, what is finished is written, and the exit code says which signal it was (143).
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    if (cancel.IsCancellationRequested) return;
    context.Cancel = true;
    terminated = true;
    cancel.Cancel();
});
int code = CliApp.Run(args, cancel: cancel.Token);
return terminated && code == ExitCodes.Cancelled ? ExitCodes.Terminated : code;
