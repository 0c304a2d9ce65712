namespace SkMemory.Cli.Commands;

/// <summary>
/// The key that signs purge attestations in the CLI: <c>--signing-key</c>, else <c>$SKMEMORY_SIGNING_KEY</c>, else
/// <c>attestation-key.pem</c> in the data directory (the SQLite database's folder, or <c>$SKMEMORY_HOME</c> for a
/// PostgreSQL store), created there on first use with owner-only permissions, with its public key beside it.
/// </summary>
internal static class AttestationKeys
{
    /// <summary>The environment variable naming the private key PEM file.</summary>
    public const string Variable = "SKMEMORY_SIGNING_KEY";

    /// <summary>The default private key file name.</summary>
    public const string PrivateKeyFileName = "attestation-key.pem";

    /// <summary>The default public key file name.</summary>
    public const string PublicKeyFileName = "attestation-key.pub.pem";

    private static readonly AsyncLocal<MemoryAttestationSigner?> Ambient = new();

    /// <summary>
    /// Gets the signer the running command chose; <see cref="StoreOpener"/> puts it in the store's options. It flows with
    /// the command's async context, so commands running side by side (tests) never see each other's key.
    /// </summary>
    public static MemoryAttestationSigner? Current => Ambient.Value;

    /// <summary>Makes a signer the running command's (see <see cref="Current"/>).</summary>
    /// <param name="signer">The signer.</param>
    public static void Use(MemoryAttestationSigner signer) => Ambient.Value = signer;

    /// <summary>The folder a store's default key lives in.</summary>
    /// <param name="target">The store.</param>
    /// <returns>The folder.</returns>
    public static string DataDirectory(StoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Kind == StoreKind.Sqlite
            ? Path.GetDirectoryName(Path.GetFullPath(target.Location)) ?? SkMemoryPaths.Home
            : SkMemoryPaths.Home;
    }

    /// <summary>The private key file to use: the option, the environment variable, or the data directory's default.</summary>
    /// <param name="option">The --signing-key value.</param>
    /// <param name="target">The store.</param>
    /// <returns>The path, and whether it is the default (which may be created).</returns>
    public static (string Path, bool IsDefault) PrivateKeyPath(string? option, StoreTarget target)
    {
        if (option is { Length: > 0 })
        {
            return (Path.GetFullPath(option), false);
        }

        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return (Path.GetFullPath(fromEnvironment), false);
        }

        return (Path.Combine(DataDirectory(target), PrivateKeyFileName), true);
    }

    /// <summary>Loads the signing key, creating the default one on first use.</summary>
    /// <param name="option">The --signing-key value.</param>
    /// <param name="target">The store.</param>
    /// <returns>The signer, where its private and public key PEM files are, and whether the key was just created.</returns>
    /// <exception cref="CliException">The key file is missing or not a P-256 private key (exit code 2).</exception>
    public static (MemoryAttestationSigner Signer, string PrivateKeyPath, string PublicKeyPath, bool Created) LoadOrCreate(string? option, StoreTarget target)
    {
        var (path, isDefault) = PrivateKeyPath(option, target);
        var publicPath = PublicKeyPathFor(path);
        if (!File.Exists(path))
        {
            if (!isDefault)
            {
                throw CliException.Invalid("signing-key", $"there is no signing key at {path}", $"give the PKCS#8 PEM private key file with --signing-key or ${Variable}, or unset both to use (and create) {PrivateKeyFileName} in the data directory");
            }

            var created = MemoryAttestationSigner.Create();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteFile(path, created.ExportPrivateKeyPem(), ownerOnly: true);
            WriteFile(publicPath, created.ExportPublicKeyPem(), ownerOnly: false);
            return (created, path, publicPath, true);
        }

        MemoryAttestationSigner signer;
        try
        {
            signer = MemoryAttestationSigner.FromPemFile(path);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Invalid("signing-key", $"{path}: {ex.Message}", "create a key with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem', or remove the file to let skmem create one");
        }

        if (!File.Exists(publicPath))
        {
            WriteFile(publicPath, signer.ExportPublicKeyPem(), ownerOnly: false);
        }

        return (signer, path, publicPath, false);
    }

    /// <summary>The public key file that goes with a private key file: <c>x.pem</c> gives <c>x.pub.pem</c>.</summary>
    /// <param name="privateKeyPath">The private key file.</param>
    /// <returns>The public key file.</returns>
    public static string PublicKeyPathFor(string privateKeyPath)
    {
        ArgumentNullException.ThrowIfNull(privateKeyPath);
        var folder = Path.GetDirectoryName(privateKeyPath) ?? string.Empty;
        return Path.Combine(folder, Path.GetFileNameWithoutExtension(privateKeyPath) + ".pub.pem");
    }

    private static void WriteFile(string path, string text, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(text);
    }
}
