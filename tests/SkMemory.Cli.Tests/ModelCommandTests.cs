using SkMemory.Embeddings;
using Xunit;

namespace SkMemory.Cli.Tests;

public sealed class ModelCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Model_fetch_verifies_files_already_in_place_without_fetching()
    {
        var source = await MiniLmModel.EnsureAsync(cancellationToken: TestContext.Current.CancellationToken);
        var target = Path.Combine(_cli.Folder, "model");
        foreach (var file in new[] { "onnx/model_q4.onnx", "onnx/model_q4.onnx_data", "vocab.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, file))!);
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        var result = (await CliRunner.RunOnAsync(null, "model", "fetch", "--dir", target)).ShouldSucceed();

        Assert.Contains($"verified in {target}", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Fetching", result.Error, StringComparison.Ordinal);
    }
}
