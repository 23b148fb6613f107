using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// A dense layer's weights W [rows × k] stored for one-sample products y = W · x (batch-1 inference): rows in groups of
/// <see cref="Group"/>, each group's rows interleaved in chunks of one vector, so that the eight rows a step multiplies
/// are read as one sequential stream: [group][chunk of k][row in group][lane].
/// </summary>
/// <remarks>
/// <para>
/// Why: read from its rows, a batch-1 layer streams eight rows at once (one load of x per eight of W) or one row (a load
/// of x per load of W), and on Zen 5 both ran at 1.5× the time of reading the same bytes in one stream (784 → 128, 256-bit
/// vectors: 3.1 µs against 2.06; eight plain streams of adds alone took as long, and software prefetching did not help).
/// Interleaved, the same sums take 2.16 µs: the floor.
/// </para>
/// <para>
/// Each row's sum is the same in every group position: lane-wise fused multiply-adds over the chunks in order from zero,
/// then a fixed tree over the lanes. Rows past the last group's end and k past the last chunk's end are zero weights; x is
/// then read from a zero-padded copy.
/// </para>
/// </remarks>
internal sealed unsafe class InterleavedGemv
{
    /// <summary>Rows interleaved in a group: eight accumulators, one per row, hide the multiply-add latency.</summary>
    public const int Group = 8;

    private readonly int _rows, _k, _lanes, _chunks, _start;
    private readonly float[] _data; // pinned; the blocks start at _start, on a 64-byte boundary

    [ThreadStatic] private static float[]? t_x;

    private InterleavedGemv(float[] weights, int rows, int k, int lanes)
    {
        (_rows, _k, _lanes) = (rows, k, lanes);
        _chunks = (k + lanes - 1) / lanes;
        long length = (long)Groups * _chunks * Group * lanes;
        _data = GC.AllocateArray<float>((int)length + 16, pinned: true);
        _start = SgemmBlocked.AlignedOffset(_data);
        for (int j = 0; j < rows; j++)
            for (int p = 0; p < k; p++)
                _data[_start + Index(j, p)] = weights[(long)j * k + p];
    }

    private int Groups => (_rows + Group - 1) / Group;

    /// <summary>Where W[j, p] is stored, from the first block.</summary>
    private int Index(int j, int p) => (((j / Group) * _chunks + p / _lanes) * Group + j % Group) * _lanes + p % _lanes;

    /// <summary>Floats held (without the alignment slack).</summary>
    public long Length => _data.Length - 16L;

    /// <summary>
    /// The interleaved copy for the SGEMM path <paramref name="path"/> (vectors of 16, 8 or 4 floats), or null on the
    /// scalar path, for a path this machine lacks, or when the copy would not fit in one array.
    /// </summary>
    public static InterleavedGemv? Create(string path, float[] weights, int rows, int k)
    {
        int lanes = path switch { "avx512" => 16, "avx2" => 8, "vector128" => 4, _ => 0 };
        if (lanes == 0 || rows <= 0 || k <= 0 || Array.IndexOf(Sgemm.AvailablePaths, path) < 0) return null;
        long length = (long)(rows + Group - 1) / Group * Group * ((k + lanes - 1) / lanes * (long)lanes);
        return length > Array.MaxLength - 16 ? null : new InterleavedGemv(weights, rows, k, lanes);
    }

    /// <summary>y[j] = Σₚ W[j, p] · x[p] for every row j (x: k values, y: rows values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Multiply(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length < _k) throw new ArgumentException($"x has {x.Length} values; the layer takes {_k}.", nameof(x));
        if (y.Length < _rows) throw new ArgumentException($"y has {y.Length} values; the layer gives {_rows}.", nameof(y));
        int padded = _chunks * _lanes;
        if (padded != _k)
        {
            // The last chunk reads past x's end: from a copy whose tail is zero (a NaN there times a zero weight is NaN).
            float[] copy = t_x is { } t && t.Length >= padded ? t : t_x = new float[padded];
            x.Slice(0, _k).CopyTo(copy);
            Array.Clear(copy, _k, padded - _k);
            x = copy;
        }
        Span<float> sums = stackalloc float[Group];
        fixed (float* px = x, pd = _data)
        {
            float* w = pd + _start;
            for (int g = 0; g < Groups; g++, w += (long)_chunks * Group * _lanes)
            {
                if (_lanes == 16) Group512(px, w, _chunks, sums);
                else if (_lanes == 8) Group256(px, w, _chunks, sums);
                else Group128(px, w, _chunks, sums);
                int first = g * Group, count = Math.Min(Group, _rows - first);
                sums.Slice(0, count).CopyTo(y.Slice(first, count));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call (at tier 0 a call took 5× as long)
    private static void Group512(float* x, float* w, int chunks, Span<float> sums)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int c = 0; c < chunks; c++, w += Group * 16)
        {
            Vector512<float> v = Vector512.Load(x + c * 16);
            s0 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w), s0);
            s1 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 16), s1);
            s2 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 32), s2);
            s3 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 48), s3);
            s4 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 64), s4);
            s5 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 80), s5);
            s6 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 96), s6);
            s7 = Avx512F.FusedMultiplyAdd(v, Vector512.LoadAligned(w + 112), s7);
        }
        // Each row's 16 lanes folded to 8 (lane i + lane i + 8), then the eight-lane tree below.
        Reduce8(Fold(s0), Fold(s1), Fold(s2), Fold(s3), Fold(s4), Fold(s5), Fold(s6), Fold(s7), sums);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fold(Vector512<float> v) => v.GetLower() + v.GetUpper();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call (at tier 0 a call took 5× as long)
    private static void Group256(float* x, float* w, int chunks, Span<float> sums)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int c = 0; c < chunks; c++, w += Group * 8)
        {
            Vector256<float> v = Vector256.Load(x + c * 8);
            s0 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w), s0);
            s1 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 8), s1);
            s2 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 16), s2);
            s3 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 24), s3);
            s4 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 32), s4);
            s5 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 40), s5);
            s6 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 48), s6);
            s7 = Fma.MultiplyAdd(v, Vector256.LoadAligned(w + 56), s7);
        }
        Reduce8(s0, s1, s2, s3, s4, s5, s6, s7, sums);
    }

    /// <summary>sums[r] = ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) over row r's lanes: HADDPS pairs, then pairs of those.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reduce8(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3,
        Vector256<float> s4, Vector256<float> s5, Vector256<float> s6, Vector256<float> s7, Span<float> sums)
    {
        Vector256<float> t0 = Avx.HorizontalAdd(s0, s1), t1 = Avx.HorizontalAdd(s2, s3);
        Vector256<float> t2 = Avx.HorizontalAdd(s4, s5), t3 = Avx.HorizontalAdd(s6, s7);
        Vector256<float> u0 = Avx.HorizontalAdd(t0, t1), u1 = Avx.HorizontalAdd(t2, t3);
        (Avx.Permute2x128(u0, u1, 0x20) + Avx.Permute2x128(u0, u1, 0x31)).CopyTo(sums);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call (at tier 0 a call took 5× as long)
    private static void Group128(float* x, float* w, int chunks, Span<float> sums)
    {
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int c = 0; c < chunks; c++, w += Group * 4)
        {
            // Multiply, then add (no fused form on every Vector128 machine): the same in every lane and row.
            Vector128<float> v = Vector128.Load(x + c * 4);
            s0 += v * Vector128.LoadAligned(w);
            s1 += v * Vector128.LoadAligned(w + 4);
            s2 += v * Vector128.LoadAligned(w + 8);
            s3 += v * Vector128.LoadAligned(w + 12);
            s4 += v * Vector128.LoadAligned(w + 16);
            s5 += v * Vector128.LoadAligned(w + 20);
            s6 += v * Vector128.LoadAligned(w + 24);
            s7 += v * Vector128.LoadAligned(w + 28);
        }
        sums[0] = Sum4(s0); sums[1] = Sum4(s1); sums[2] = Sum4(s2); sums[3] = Sum4(s3);
        sums[4] = Sum4(s4); sums[5] = Sum4(s5); sums[6] = Sum4(s6); sums[7] = Sum4(s7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum4(Vector128<float> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));
}
