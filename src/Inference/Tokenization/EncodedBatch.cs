namespace RerankCluster.Inference.Tokenization;

/// <summary>
/// A batch of token sequences padded to its own longest row (never to a fixed width), laid out
/// row-major as the int64 tensors BERT-family ONNX graphs take.
/// </summary>
public sealed class EncodedBatch
{
    public EncodedBatch(int rows, int width, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths)
    {
        Rows = rows;
        Width = width;
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Lengths = lengths;
    }

    public int Rows { get; }

    /// <summary>Padded sequence length: the longest row of this batch.</summary>
    public int Width { get; }

    public long[] InputIds { get; }

    public long[] AttentionMask { get; }

    public long[] TokenTypeIds { get; }

    /// <summary>Real (unpadded) length of each row, special tokens included.</summary>
    public int[] Lengths { get; }

    /// <summary>Tokens the model computes over, padding included: what a batch really costs.</summary>
    public long PaddedTokens => (long)Rows * Width;

    public long RealTokens => Lengths.Sum(l => (long)l);

    /// <summary>Lays out already-built sequences (each starting with [CLS]) padded to the longest.</summary>
    public static EncodedBatch Pad(IReadOnlyList<(int[] Ids, int[] TypeIds)> sequences, int paddingId)
    {
        var rows = sequences.Count;
        var width = rows == 0 ? 0 : sequences.Max(s => s.Ids.Length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        var types = new long[rows * width];
        var lengths = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var (seq, seqTypes) = sequences[r];
            lengths[r] = seq.Length;
            var offset = r * width;
            for (var t = 0; t < width; t++)
            {
                if (t < seq.Length)
                {
                    ids[offset + t] = seq[t];
                    mask[offset + t] = 1;
                    types[offset + t] = seqTypes[t];
                }
                else
                {
                    ids[offset + t] = paddingId;
                }
            }
        }

        return new EncodedBatch(rows, width, ids, mask, types, lengths);
    }
}
