using System.Diagnostics;
using System.Text;
using SkMemory.Tests;

namespace SkMemory.Faults.Tests;

/// <summary>
/// The real <c>skmem</c> running as a child process that a test kills with SIGKILL mid-way: no handler, no finally block,
/// no flush runs in it, exactly as when the machine's OOM killer or an operator's <c>kill -9</c> stops it.
/// </summary>
internal sealed class SkmemChild : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();

    private SkmemChild(Process process)
    {
        _process = process;
    }

    /// <summary>Gets what the child wrote to stderr so far (its progress lines).</summary>
    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Gets whether the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The variables every skmem child runs with: its own home, no embedder to load, a fixed user name.</summary>
    public static Dictionary<string, string> Environment(string home) => new(StringComparer.Ordinal)
    {
        ["SKMEMORY_HOME"] = home,
        ["SKMEMORY_EMBEDDER"] = "none",
        ["USER"] = "skmem-faults",
    };

    /// <summary>Starts <c>dotnet skmem.dll</c> with the arguments.</summary>
    public static SkmemChild Start(string home, params string[] arguments)
    {
        var start = new ProcessStartInfo(SkmemProcess.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SkmemProcess.SkmemDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Environment(home))
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var child = new SkmemChild(process);
        process.StandardInput.Close();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._gate)
                {
                    child._error.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return child;
    }

    /// <summary>Runs <c>dotnet skmem.dll</c> to its end.</summary>
    public static Task<(int ExitCode, string Out, string Error)> RunAsync(string home, params string[] arguments) =>
        SkmemProcess.RunAsync(SkmemProcess.DotnetHost, [SkmemProcess.SkmemDll, .. arguments], home, Environment(home), TimeSpan.FromMinutes(2));

    /// <summary>Waits until <paramref name="condition"/> holds while the child still runs, then kills it with SIGKILL.</summary>
    /// <returns>A description of the moment of the kill, for the test's output.</returns>
    public async Task KillWhenAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            Assert.False(_process.HasExited, $"skmem ended (exit code {(_process.HasExited ? _process.ExitCode : 0)}) before {what}:\n{Error}");
            await Task.Delay(5, deadline.Token);
        }

        Assert.False(_process.HasExited, $"skmem ended before it could be killed ({what}):\n{Error}");
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);

        // 128 + SIGKILL: the child did not finish on its own.
        Assert.Equal(137, _process.ExitCode);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
