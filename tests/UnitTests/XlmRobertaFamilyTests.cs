using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using RerankCluster.Inference;
using RerankCluster.Inference.Models;
using RerankCluster.Inference.Models.OnnxGraph.Schema;
using RerankCluster.Inference.Tokenization;

namespace RerankCluster.UnitTests;

/// <summary>
/// A SentencePiece unigram model trained on the beir-mini texts by the reference implementation (Debian's
/// spm_train), and that implementation's encoder (spm_encode): the ids the XLM-RoBERTa family must reproduce.
/// </summary>
public sealed class SentencePieceReference : IDisposable
{
    public SentencePieceReference()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("sentencepiece").FullName;
        var corpus = Path.Combine(Directory, "corpus.txt");
        File.WriteAllLines(corpus, Texts);
        Run("spm_train", [$"--input={corpus}", $"--model_prefix={Path.Combine(Directory, "sp")}", "--vocab_size=400", "--model_type=unigram",
            "--hard_vocab_limit=false", "--character_coverage=1.0", "--minloglevel=2"]);
        ModelPath = Path.Combine(Directory, "sp.model");
    }

    public static string[] Texts { get; } = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "samples", "beir-mini-corpus.jsonl"))
        .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!)
        .ToArray();

    public string Directory { get; }

    public string ModelPath { get; }

    /// <summary>spm_encode's piece ids of each text (one line each).</summary>
    public int[][] Encode(IReadOnlyList<string> texts) =>
        Run("spm_encode", [$"--model={ModelPath}", "--output_format=id"], string.Join('\n', texts) + "\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())
            .ToArray();

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Run(string program, IEnumerable<string> arguments, string? input = null)
    {
        var result = ExternalProgram.Run(program, arguments, input);
        return result.ExitCode == 0 ? result.Output : throw new InvalidOperationException($"{program} failed ({result.ExitCode}): {result.Error}");
    }
}

[Collection(ModelCollection.Name)]
public sealed class XlmRobertaFamilyTests(ModelFixture models, SentencePieceReference reference) : IClassFixture<SentencePieceReference>
{
    private readonly XlmRobertaTextTokenizer _tokenizer = XlmRobertaTextTokenizer.FromModelFile(reference.ModelPath);

    [Fact]
    public void Ids_are_the_reference_SentencePiece_ids_numbered_as_Hugging_Face_numbers_them()
    {
        string[] texts = [.. SentencePieceReference.Texts.Take(5), "  Two   spaces, café and naïve ", "量子 telescope ☃ zebra"];
        var expected = reference.Encode(texts).Select(FairseqIds).ToArray();

        Assert.Equal(expected, texts.Select(_tokenizer.Tokenize).ToArray());
        // The characters no training text had are <unk>, which XLM-RoBERTa numbers 3.
        Assert.Contains(3, _tokenizer.Tokenize(texts[^1]));
    }

    [Fact]
    public void A_pair_is_laid_out_as_XLM_RoBERTa_reads_it_and_truncated_longest_first()
    {
        var query = _tokenizer.Tokenize("what is a black hole");
        var passage = _tokenizer.Tokenize(SentencePieceReference.Texts[0]);

        var (ids, types) = _tokenizer.EncodePair(query, passage, 512);
        Assert.Equal(string.Join(' ', [0, .. query, 2, 2, .. passage, 2]), string.Join(' ', ids));
        Assert.All(types, t => Assert.Equal(0, t));

        // Four special tokens leave room for the whole query and 3 more passage tokens than query tokens.
        var (cut, _) = _tokenizer.EncodePair(query, passage, 2 * query.Length + 7);
        Assert.Equal(string.Join(' ', [0, .. query, 2, 2, .. passage.Take(query.Length + 3), 2]), string.Join(' ', cut));
        Assert.Equal([0, .. passage.Take(6), 2], _tokenizer.EncodeSingle(passage, 8));
    }

    [Fact]
    public void Truncation_and_windows_keep_whole_pieces_and_words()
    {
        var text = string.Join(' ', SentencePieceReference.Texts.Take(3));
        var pieces = _tokenizer.Tokenize(text);

        var truncated = _tokenizer.Truncate(text, 7);
        Assert.Equal(pieces.Take(7), _tokenizer.Tokenize(truncated));
        // Plain text a user reads back (the texts are already normalised): no ▁ word marks.
        Assert.StartsWith(truncated, text, StringComparison.Ordinal);
        var tail = _tokenizer.TruncateLeft(text, 5);
        Assert.Equal(pieces.TakeLast(5), _tokenizer.Tokenize(tail));
        Assert.EndsWith(tail, text, StringComparison.Ordinal);
        var windows = _tokenizer.Windows(text, 12, 100);
        Assert.True(windows.Count > 1);
        Assert.All(windows, w => Assert.InRange(_tokenizer.Tokenize(w).Length, 1, 12));
        Assert.All(windows, w => Assert.Contains(w, text, StringComparison.Ordinal));
        // Cut where words start, each window tokenises to its own stretch of the text's pieces.
        Assert.Equal(pieces, windows.SelectMany(_tokenizer.Tokenize));
    }

    [Fact]
    public void A_cross_encoder_of_the_family_scores_each_pair_as_its_graph_does_on_the_reference_ids()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("xlmr-family").FullName;
        var graph = Path.Combine(directory, "model.onnx");
        File.WriteAllBytes(graph, WithoutTokenTypes(File.ReadAllBytes(models.CrossEncoder.Model.OnnxPath)));
        File.Copy(reference.ModelPath, Path.Combine(directory, XlmRobertaTextTokenizer.ModelFile));
        const string query = "what is a black hole";
        var passages = SentencePieceReference.Texts.Take(6).ToArray();

        using var family = new CrossEncoder(ModelFiles.Open(directory, "test/xlm-roberta-family"), models.Sessions);
        var scored = family.Score(query, passages);

        using var session = new InferenceSession(graph);
        Assert.Equal(["attention_mask", "input_ids"], session.InputMetadata.Keys.Order());
        var queryIds = FairseqIds(reference.Encode([query])[0]);
        var passageIds = reference.Encode(passages).Select(FairseqIds).ToArray();
        for (var i = 0; i < passages.Length; i++)
        {
            long[] ids = [0, .. queryIds.Select(id => (long)id), 2, 2, .. passageIds[i].Select(id => (long)id), 2];
            long[] shape = [1, ids.Length];
            using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input_ids", "attention_mask"], [inputIds, mask], ["logits"]);
            Assert.Equal(outputs[0].GetTensorDataAsSpan<float>()[0], scored[i], 1e-4f);
        }
    }

    /// <summary>Hugging Face's XLMRobertaTokenizer: a SentencePiece id + 1, and SentencePiece's unk (0) as 3.</summary>
    private static int[] FairseqIds(int[] pieces) => pieces.Select(id => id == 0 ? 3 : id + 1).ToArray();

    /// <summary>
    /// The test cross-encoder with XLM-RoBERTa's inputs (input_ids, attention_mask): its token_type_ids
    /// input becomes zeros computed from input_ids, as RoBERTa exports have no token types.
    /// </summary>
    private static byte[] WithoutTokenTypes(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var graph = proto.Graph;
        graph.Input.Remove(graph.Input.Single(i => i.Name == "token_type_ids"));
        var zero = new TensorProto { Name = "token_type_zero", DataType = (int)TensorProto.Types.DataType.Int64 };
        zero.Int64Data.Add(0);
        graph.Initializer.Add(zero);
        var zeros = new NodeProto { Name = "token_types_from_ids", OpType = "Mul" };
        zeros.Input.AddRange(["input_ids", "token_type_zero"]);
        zeros.Output.Add("token_type_ids");
        graph.Node.Insert(0, zeros);
        return proto.ToByteArray();
    }
}
