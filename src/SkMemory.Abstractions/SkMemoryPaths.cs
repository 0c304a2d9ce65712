namespace SkMemory;

/// <summary>Where SkMemory keeps its files by default.</summary>
public static class SkMemoryPaths
{
    /// <summary>The environment variable that overrides <see cref="Home"/>.</summary>
    public const string HomeVariable = "SKMEMORY_HOME";

    /// <summary>Gets SkMemory's home folder: <c>$SKMEMORY_HOME</c>, or <c>~/.skmemory</c>.</summary>
    public static string Home =>
        Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".skmemory");

    /// <summary>Gets the default embedded database file: <c>memory.db</c> in <see cref="Home"/>.</summary>
    public static string DefaultDatabasePath => Path.Combine(Home, "memory.db");
}
