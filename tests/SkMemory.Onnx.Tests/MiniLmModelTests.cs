using System.Globalization;
using System.Security.Cryptography;
using SkMemory.Embeddings;
using Xunit;

namespace SkMemory.Onnx.Tests;

/// <summary>The verification marker: a quick check on every load, a full hash where files are produced or asked for.</summary>
public sealed class MiniLmModelTests : IDisposable
{
    private static readonly string[] ModelFiles = ["onnx/model_q4.onnx", "onnx/model_q4.onnx_data", "vocab.txt"];

    private readonly string _root = Directory.CreateTempSubdirectory("skmemory-model-marker-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task CheckAsync_WithoutMarker_HashesOnceAndRecordsEachFile()
    {
        var folder = await CopyModelAsync();
        var marker = Path.Combine(folder, MiniLmModel.MarkerFileName);
        Assert.False(File.Exists(marker));

        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));

        var entries = await ReadMarkerAsync(folder);
        Assert.Equal(ModelFiles, entries.Select(e => e.Path));
        foreach (var (path, length, lastWrite, sha256) in entries)
        {
            var file = new FileInfo(Path.Combine(folder, path));
            Assert.Equal(file.Length, length);
            Assert.Equal(file.LastWriteTimeUtc, lastWrite);
            Assert.Equal(await Sha256Async(file.FullName), sha256);
        }

        // Written aside and renamed: nothing else is left next to the files.
        Assert.Equal([MiniLmModel.MarkerFileName, "vocab.txt"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_NewTimeWithSameContent_HashesAgainAndRewritesTheMarker()
    {
        var folder = await CopyModelAsync();
        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));
        var vocab = Path.Combine(folder, "vocab.txt");
        var touched = File.GetLastWriteTimeUtc(vocab).AddMinutes(5);
        File.SetLastWriteTimeUtc(vocab, touched);

        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));

        Assert.Equal(touched, Assert.Single(await ReadMarkerAsync(folder), e => e.Path == "vocab.txt").LastWriteUtc);
    }

    [Fact]
    public async Task CheckAsync_SameSizeEditWithTimePutBack_PassesTheQuickCheckButNotAFullVerify()
    {
        var folder = await CopyModelAsync();
        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));
        var vocab = Path.Combine(folder, "vocab.txt");
        var time = File.GetLastWriteTimeUtc(vocab);
        await FlipOneByteAsync(vocab);
        File.SetLastWriteTimeUtc(vocab, time);

        // The documented trade-off: the quick check trusts the marker while size and time match.
        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));

        Assert.Contains("vocab.txt does not have the expected SHA-256", await MiniLmModel.CheckAsync(folder, verify: true, Ct), StringComparison.Ordinal);

        // The failed full check withdrew the marker, so the quick check hashes and reports the file too from now on.
        Assert.False(File.Exists(Path.Combine(folder, MiniLmModel.MarkerFileName)));
        Assert.Contains("vocab.txt does not have the expected SHA-256", await MiniLmModel.CheckAsync(folder, Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("size")]
    [InlineData("time")]
    public async Task CheckAsync_EditThatChangesSizeOrTime_IsCaughtByTheQuickCheck(string change)
    {
        var folder = await CopyModelAsync();
        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));
        var vocab = Path.Combine(folder, "vocab.txt");
        var time = File.GetLastWriteTimeUtc(vocab);
        if (change == "size")
        {
            await File.AppendAllTextAsync(vocab, "extra\n", Ct);
            File.SetLastWriteTimeUtc(vocab, time);
        }
        else
        {
            await FlipOneByteAsync(vocab);
            File.SetLastWriteTimeUtc(vocab, time.AddSeconds(1));
        }

        Assert.Contains("vocab.txt does not have the expected SHA-256", await MiniLmModel.CheckAsync(folder, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_Verify_FetchesAgainWhatTheQuickCheckMisses()
    {
        var folder = await CopyModelAsync();
        Assert.Null(await MiniLmModel.CheckAsync(folder, Ct));
        var vocab = Path.Combine(folder, "vocab.txt");
        var time = File.GetLastWriteTimeUtc(vocab);
        await FlipOneByteAsync(vocab);
        File.SetLastWriteTimeUtc(vocab, time);
        var log = new List<string>();

        await MiniLmModel.EnsureAsync(folder, log.Add, Ct);
        Assert.DoesNotContain(log, l => l.StartsWith("Fetching", StringComparison.Ordinal));

        Assert.Equal(folder, await MiniLmModel.EnsureAsync(folder, log.Add, verify: true, Ct));
        Assert.Contains(log, l => l.StartsWith("Fetching", StringComparison.Ordinal));
        Assert.Null(await MiniLmModel.CheckAsync(folder, verify: true, Ct));
        Assert.Equal(ModelFiles, (await ReadMarkerAsync(folder)).Select(e => e.Path));
    }

    private static async Task<List<(string Path, long Length, DateTime LastWriteUtc, string Sha256)>> ReadMarkerAsync(string folder) =>
        [.. (await File.ReadAllLinesAsync(Path.Combine(folder, MiniLmModel.MarkerFileName), Ct))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => (f[0], long.Parse(f[1], CultureInfo.InvariantCulture), DateTime.Parse(f[2], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), f[3]))];

    private static async Task<string> Sha256Async(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Ct));
    }

    private static async Task FlipOneByteAsync(string path)
    {
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes, Ct);
    }

    /// <summary>Copies the three model files (no marker) from the shared cache into a fresh folder.</summary>
    private async Task<string> CopyModelAsync()
    {
        var source = await MiniLmModel.EnsureAsync(cancellationToken: Ct);
        var target = Path.Combine(_root, "model");
        foreach (var file in ModelFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, file))!);
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        return target;
    }
}
