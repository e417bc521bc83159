using System.Buffers;

namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// A batch of token sequences padded to its own longest row (never to a fixed width), laid out
/// row-major as the int64 tensors BERT-family ONNX graphs take. Batches made by <see cref="Pad"/> rent
/// their tensors from a shared pool, so the hot path allocates no tensor memory; disposing hands them back.
/// </summary>
public sealed class EncodedBatch : IDisposable
{
    private readonly bool _pooled;
    private long[] _inputIds;
    private long[] _attentionMask;
    private long[] _tokenTypeIds;
    private int _disposed;

    /// <summary>Wraps arrays the caller owns, each exactly <paramref name="rows"/> × <paramref name="width"/> long.</summary>
    public EncodedBatch(int rows, int width, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths)
        : this(rows, width, inputIds, attentionMask, tokenTypeIds, lengths, pooled: false)
    {
        var cells = (long)rows * width;
        if (inputIds.Length != cells || attentionMask.Length != cells || tokenTypeIds.Length != cells || lengths.Length != rows)
        {
            throw new ArgumentException($"A batch of {rows} rows × {width} tokens needs {cells} ids, mask and type values and {rows} lengths.");
        }
    }

    private EncodedBatch(int rows, int width, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths, bool pooled)
    {
        Rows = rows;
        Width = width;
        _inputIds = inputIds;
        _attentionMask = attentionMask;
        _tokenTypeIds = tokenTypeIds;
        Lengths = lengths;
        _pooled = pooled;
    }

    public int Rows { get; }

    /// <summary>Padded sequence length: the longest row of this batch.</summary>
    public int Width { get; }

    public Memory<long> InputIds => Cells(_inputIds);

    public Memory<long> AttentionMask => Cells(_attentionMask);

    public Memory<long> TokenTypeIds => Cells(_tokenTypeIds);

    /// <summary>The tensor a BERT-family graph input takes: input_ids, attention_mask or token_type_ids.</summary>
    public Memory<long> Input(string name) => name switch
    {
        "input_ids" => InputIds,
        "attention_mask" => AttentionMask,
        "token_type_ids" => TokenTypeIds,
        _ => throw new NotSupportedException($"'{name}' is not a BERT-family input (input_ids, attention_mask, token_type_ids)."),
    };

    /// <summary>Real (unpadded) length of each row, special tokens included.</summary>
    public int[] Lengths { get; }

    /// <summary>Tokens the model computes over, padding included: what a batch really costs.</summary>
    public long PaddedTokens => (long)Rows * Width;

    public long RealTokens => Lengths.Sum(l => (long)l);

    /// <summary>Lays out already-built sequences (each starting with [CLS]) padded to the longest, in pooled tensors.</summary>
    public static EncodedBatch Pad(IReadOnlyList<(int[] Ids, int[] TypeIds)> sequences, int paddingId)
    {
        var rows = sequences.Count;
        var width = rows == 0 ? 0 : sequences.Max(s => s.Ids.Length);
        var cells = rows * width;
        var ids = ArrayPool<long>.Shared.Rent(cells);
        var mask = ArrayPool<long>.Shared.Rent(cells);
        var types = ArrayPool<long>.Shared.Rent(cells);
        var lengths = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var (seq, seqTypes) = sequences[r];
            lengths[r] = seq.Length;
            var offset = r * width;
            // Rented arrays hold whatever the last user left: every cell is written, padding included.
            for (var t = 0; t < width; t++)
            {
                var real = t < seq.Length;
                ids[offset + t] = real ? seq[t] : paddingId;
                mask[offset + t] = real ? 1 : 0;
                types[offset + t] = real ? seqTypes[t] : 0;
            }
        }

        return new EncodedBatch(rows, width, ids, mask, types, lengths, pooled: true);
    }

    /// <summary>A copy in arrays of its own, for keeping a batch past the call that made it.</summary>
    public EncodedBatch Clone() =>
        new(Rows, Width, InputIds.ToArray(), AttentionMask.ToArray(), TokenTypeIds.ToArray(), (int[])Lengths.Clone());

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_pooled)
        {
            return;
        }

        ArrayPool<long>.Shared.Return(_inputIds);
        ArrayPool<long>.Shared.Return(_attentionMask);
        ArrayPool<long>.Shared.Return(_tokenTypeIds);
        _inputIds = _attentionMask = _tokenTypeIds = [];
    }

    private Memory<long> Cells(long[] values)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return values.AsMemory(0, Rows * Width);
    }
}
