using SkMemory.Tests;

namespace SkMemory.Faults.Tests;

/// <summary>Runs the OS tools the fault tests break things with (mount, umount, chattr, chmod), through the shared process runner.</summary>
internal static class OsCommands
{
    /// <summary>Gets whether this process runs as root (root ignores file modes, so a read-only file needs chattr or a mount).</summary>
    public static bool IsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>Runs a tool; returns whether it exited with 0, and its error output.</summary>
    public static async Task<(bool Ok, string Error)> TryRunAsync(string program, params string[] arguments)
    {
        try
        {
            var (exitCode, output, error) = await SkmemProcess.RunAsync(program, arguments, Path.GetTempPath(), new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
            return (exitCode == 0, error + output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // The tool is not installed.
            return (false, ex.Message);
        }
    }

    /// <summary>Runs a tool that must succeed.</summary>
    public static async Task RunAsync(string program, params string[] arguments)
    {
        var (ok, error) = await TryRunAsync(program, arguments);
        Assert.True(ok, $"{program} {string.Join(' ', arguments)} failed: {error}");
    }
}
