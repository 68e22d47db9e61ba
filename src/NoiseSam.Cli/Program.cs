using NoiseSam.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop after the current step and write what is done; a second one kills.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
return CliApp.Run(args, cancel: cancel.Token);
