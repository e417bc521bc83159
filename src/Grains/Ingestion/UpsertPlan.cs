using RerankCluster.Grains.Interfaces;

namespace RerankCluster.Grains.Ingestion;

/// <summary>An accepted upsert: its index as it was when accepted, its documents, and the ids of those that already existed then.</summary>
public sealed record UpsertPlan(string IndexKey, IndexInfo Index, DocumentInput[] Documents, IReadOnlySet<string> Existing);

/// <summary>What one slice's write did; <see cref="Error"/> set when it failed (its documents may be missing).</summary>
public sealed record SliceOutcome(UpsertSlice Slice, int Stored, int Chunks, int Replaced, Exception? Error);
