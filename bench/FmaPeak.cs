using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RerankCluster.Bench;

/// <summary>
/// This machine's fp32 peak, measured rather than guessed from the clock: one thread per core runs fused
/// multiply-adds on the widest vectors the JIT accelerates, in enough independent chains to cover the
/// FMA latency on every port, so what the cores can issue is what is counted. The best of a few short
/// runs, since a shared machine only ever makes a run slower.
/// </summary>
public static class FmaPeak
{
    public sealed record Result(double Gflops, int VectorBits, int Threads);

    public static Result Measure(TimeSpan perRun, int runs = 3)
    {
        var bits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        var threads = Environment.ProcessorCount;
        var best = 0.0;
        for (var run = 0; run < runs; run++)
        {
            var flops = new double[threads];
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                flops[t] = bits switch
                {
                    512 => Flops<Lanes512>(perRun),
                    256 => Flops<Lanes256>(perRun),
                    _ => Flops<Lanes128>(perRun),
                };
            }) { IsBackground = true }).ToArray();
            var wall = Stopwatch.StartNew();
            foreach (var worker in workers)
            {
                worker.Start();
            }

            foreach (var worker in workers)
            {
                worker.Join();
            }

            best = Math.Max(best, flops.Sum() / wall.Elapsed.TotalSeconds / 1e9);
        }

        return new Result(best, bits, threads);
    }

    private const int Steps = 1024;

    /// <summary>FLOPs one thread issued in <paramref name="duration"/>: a multiply-add counts two per lane.</summary>
    private static double Flops<T>(TimeSpan duration) where T : struct, IFmaVector<T>
    {
        var clock = Stopwatch.StartNew();
        long rounds = 0;
        var sink = 0f;
        while (clock.Elapsed < duration)
        {
            sink += Chains<T>(rounds);
            rounds++;
        }

        // Kept, so the JIT cannot drop the chains as unused.
        Volatile.Write(ref _sink, sink);
        return rounds * (double)Steps * ChainCount * T.Lanes * 2;
    }

    // FMA latency (4 cycles) × 2 ports needs 8 chains in flight; 12 leaves headroom and fits 16 AVX2 registers.
    private const int ChainCount = 12;

    private static float _sink;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains<T>(long seed) where T : struct, IFmaVector<T>
    {
        // Converges towards 1e-7 ÷ (1 − 0.999999) = 0.1: no overflow and no denormals, however long it runs.
        T m = T.Create(0.999999f), c = T.Create(1e-7f);
        T a0 = T.Create(seed), a1 = T.Create(1), a2 = T.Create(2), a3 = T.Create(3), a4 = T.Create(4), a5 = T.Create(5);
        T a6 = T.Create(6), a7 = T.Create(7), a8 = T.Create(8), a9 = T.Create(9), a10 = T.Create(10), a11 = T.Create(11);
        for (var i = 0; i < Steps; i++)
        {
            a0 = T.Fma(a0, m, c); a1 = T.Fma(a1, m, c); a2 = T.Fma(a2, m, c); a3 = T.Fma(a3, m, c);
            a4 = T.Fma(a4, m, c); a5 = T.Fma(a5, m, c); a6 = T.Fma(a6, m, c); a7 = T.Fma(a7, m, c);
            a8 = T.Fma(a8, m, c); a9 = T.Fma(a9, m, c); a10 = T.Fma(a10, m, c); a11 = T.Fma(a11, m, c);
        }

        return T.First(a0) + T.First(a1) + T.First(a2) + T.First(a3) + T.First(a4) + T.First(a5)
               + T.First(a6) + T.First(a7) + T.First(a8) + T.First(a9) + T.First(a10) + T.First(a11);
    }

    /// <summary>One vector width, as static members so the JIT specialises and inlines each kernel.</summary>
    private interface IFmaVector<T> where T : struct, IFmaVector<T>
    {
        static abstract int Lanes { get; }

        static abstract T Create(float value);

        static abstract T Fma(T a, T b, T c);

        static abstract float First(T value);
    }

    private readonly record struct Lanes512(Vector512<float> V) : IFmaVector<Lanes512>
    {
        public static int Lanes => Vector512<float>.Count;
        public static Lanes512 Create(float value) => new(Vector512.Create(value));
        public static Lanes512 Fma(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
        public static float First(Lanes512 value) => value.V.ToScalar();
    }

    private readonly record struct Lanes256(Vector256<float> V) : IFmaVector<Lanes256>
    {
        public static int Lanes => Vector256<float>.Count;
        public static Lanes256 Create(float value) => new(Vector256.Create(value));
        public static Lanes256 Fma(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
        public static float First(Lanes256 value) => value.V.ToScalar();
    }

    private readonly record struct Lanes128(Vector128<float> V) : IFmaVector<Lanes128>
    {
        public static int Lanes => Vector128<float>.Count;
        public static Lanes128 Create(float value) => new(Vector128.Create(value));
        public static Lanes128 Fma(Lanes128 a, Lanes128 b, Lanes128 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));
        public static float First(Lanes128 value) => value.V.ToScalar();
    }
}
