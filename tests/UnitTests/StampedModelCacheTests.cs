using RerankCluster.Inference.Models;

namespace RerankCluster.UnitTests;

public sealed class StampedModelCacheTests
{
    private const string Name = "org/model";
    private readonly string _cache = Directory.CreateTempSubdirectory("stamped-cache").FullName;

    private string Model => Path.Combine(_cache, "org--model");

    [Fact]
    public void A_model_is_made_once_per_stamp_and_a_new_stamp_replaces_it_whole()
    {
        var cache = new StampedModelCache("source.sha256", "model.onnx");
        var builds = 0;
        Action<string> Build(string extraFile) => directory =>
        {
            builds++;
            WriteModel(directory, $"graph {builds}");
            File.WriteAllText(Path.Combine(directory, extraFile), "");
        };

        var first = cache.Ensure(Model, Name, Build("first-only.txt"), "aaa");
        Assert.Equal(first.OnnxPath, cache.Ensure(Model, Name, Build("unused.txt"), "aaa").OnnxPath);
        Assert.Equal(1, builds);
        Assert.Equal(Name, first.Name);

        var second = cache.Ensure(Model, Name, Build("second-only.txt"), "bbb");
        Assert.Equal(2, builds);
        Assert.Equal(first.OnnxPath, second.OnnxPath);
        Assert.Equal("graph 2", File.ReadAllText(second.OnnxPath));
        // Whole: nothing of the stale model is left in it, and no build or stale copy beside it.
        Assert.False(File.Exists(Path.Combine(Model, "first-only.txt")));
        Assert.Equal([Model], Directory.GetFileSystemEntries(_cache));
    }

    [Fact]
    public void A_failed_build_leaves_nothing_behind_and_the_next_call_makes_the_model()
    {
        var cache = new StampedModelCache("source.sha256", "model.onnx");
        var error = Assert.Throws<InvalidDataException>(() => cache.Ensure(Model, Name, directory =>
        {
            WriteModel(directory, "half");
            throw new InvalidDataException("bad pack");
        }, "aaa"));
        Assert.Equal("bad pack", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_cache));

        Assert.Equal("whole", File.ReadAllText(cache.Ensure(Model, Name, directory => WriteModel(directory, "whole"), "aaa").OnnxPath));
    }

    [Fact]
    public void Without_a_stamp_a_directory_is_kept_while_it_holds_the_required_files()
    {
        var cache = new StampedModelCache(stampFile: null, "model.onnx", "vocab.txt");
        // As an interrupted extraction by an earlier version left it: the graph but no vocabulary.
        Directory.CreateDirectory(Model);
        File.WriteAllText(Path.Combine(Model, "model.onnx"), "old");

        Assert.Equal("new", File.ReadAllText(cache.Ensure(Model, Name, directory => WriteModel(directory, "new")).OnnxPath));
        Assert.Equal("new", File.ReadAllText(cache.Ensure(Model, Name, directory => WriteModel(directory, "newer")).OnnxPath));
    }

    [Fact]
    public void A_build_that_fails_on_io_after_another_process_made_the_same_model_opens_that_model()
    {
        var cache = new StampedModelCache("source.sha256", "model.onnx");
        var model = cache.Ensure(Model, Name, _ =>
        {
            Directory.CreateDirectory(Model);
            WriteModel(Model, "theirs");
            File.WriteAllText(Path.Combine(Model, "source.sha256"), "aaa\n");
            throw new IOException("the disk is busy");
        }, "aaa");

        Assert.Equal("theirs", File.ReadAllText(model.OnnxPath));
        Assert.Equal([Model], Directory.GetFileSystemEntries(_cache));
    }

    private static void WriteModel(string directory, string graph)
    {
        File.WriteAllText(Path.Combine(directory, "model.onnx"), graph);
        File.WriteAllText(Path.Combine(directory, "vocab.txt"), "[PAD]\n");
    }
}
