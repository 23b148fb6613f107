using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// The integer product of a quantized dense layer: acc[j] = Σ_k x[k] · w[j, k] for an unsigned 8-bit input vector x and
/// signed 8-bit weight rows w (both zero-padded to <see cref="Pad"/>), accumulated exactly in 32-bit integers: each
/// product is at most 255 · 128 in size, so rows of up to <see cref="MaxInputs"/> values cannot overflow.
/// </summary>
/// <remarks>
/// Paths: AVX-VNNI's VPDPBUSD (32 byte products per instruction into 8 sums) where the CPU has it; elsewhere AVX2,
/// bytes widened to 16 bits and multiplied pairwise into 32-bit sums (VPMADDWD, exact); else scalar. Every path gives
/// the same integers (exact arithmetic), so results do not depend on the machine. Four rows share each load of x.
/// </remarks>
internal static unsafe class Int8Gemv
{
    /// <summary>Rows of x and w are padded with zeros to a multiple of this many bytes.</summary>
    internal const int Pad = 32;

    /// <summary>The longest row: 65,536 · 255 · 128 &lt; 2³¹.</summary>
    internal const int MaxInputs = 1 << 16;

    /// <summary>Test hook: the calling thread takes the AVX2 widening path even where AVX-VNNI exists.</summary>
    [ThreadStatic] internal static bool t_noVnni;

    internal static int Padded(int k) => (k + Pad - 1) / Pad * Pad;

    /// <summary>The path the calling thread's products take: "vnni", "avx2" or "scalar".</summary>
    internal static string CurrentPath =>
        Sgemm.CurrentPath == "scalar" || !Avx2.IsSupported ? "scalar" : AvxVnni.IsSupported && !t_noVnni ? "vnni" : "avx2";

    /// <summary>
    /// acc[j] = Σ_{k &lt; kPadded} x[k] · w[j · kPadded + k] for j &lt; rows; <paramref name="kPadded"/> is a multiple of
    /// <see cref="Pad"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    internal static void Multiply(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        switch (CurrentPath)
        {
            case "vnni": Vnni(x, w, rows, kPadded, acc); break;
            case "avx2": Widening(x, w, rows, kPadded, acc); break;
            default: Scalar(x, w, rows, kPadded, acc); break;
        }
    }

    /// <summary>
    /// <see cref="Multiply(byte*, sbyte*, int, int, int*)"/> for <paramref name="samples"/> input vectors stored
    /// <paramref name="kPadded"/> bytes apart, into acc[s · rows + j]: on the VNNI path two samples share each load of a
    /// weight row (the weights are read from cache half as often); the same integers either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    internal static void Multiply(byte* x, int samples, sbyte* w, int rows, int kPadded, int* acc)
    {
        int s = 0;
        if (CurrentPath == "vnni")
        {
            for (; s + 4 <= samples; s += 4) VnniQuad(x + (long)s * kPadded, w, rows, kPadded, acc + (long)s * rows);
            for (; s + 2 <= samples; s += 2) VnniPair(x + (long)s * kPadded, w, rows, kPadded, acc + (long)s * rows);
        }
        for (; s < samples; s++) Multiply(x + (long)s * kPadded, w, rows, kPadded, acc + (long)s * rows);
    }

    /// <summary>
    /// Four samples × two rows per step: eight sums, four input loads and two weight loads per 32 bytes (within AVX-VNNI's
    /// 16 registers), so each weight row is read once per four samples.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    private static void VnniQuad(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        byte* x1 = x + kPadded, x2 = x1 + kPadded, x3 = x2 + kPadded;
        int j = 0;
        for (; j + 2 <= rows; j += 2)
        {
            sbyte* w0 = w + (long)j * kPadded, w1 = w0 + kPadded;
            Vector256<int> a0 = default, a1 = default, b0 = default, b1 = default;
            Vector256<int> c0 = default, c1 = default, d0 = default, d1 = default;
            for (int k = 0; k < kPadded; k += Pad)
            {
                Vector256<sbyte> v0 = Vector256.Load(w0 + k), v1 = Vector256.Load(w1 + k);
                Vector256<byte> u = Vector256.Load(x + k);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, u, v0); a1 = AvxVnni.MultiplyWideningAndAdd(a1, u, v1);
                u = Vector256.Load(x1 + k);
                b0 = AvxVnni.MultiplyWideningAndAdd(b0, u, v0); b1 = AvxVnni.MultiplyWideningAndAdd(b1, u, v1);
                u = Vector256.Load(x2 + k);
                c0 = AvxVnni.MultiplyWideningAndAdd(c0, u, v0); c1 = AvxVnni.MultiplyWideningAndAdd(c1, u, v1);
                u = Vector256.Load(x3 + k);
                d0 = AvxVnni.MultiplyWideningAndAdd(d0, u, v0); d1 = AvxVnni.MultiplyWideningAndAdd(d1, u, v1);
            }
            acc[j] = Vector256.Sum(a0); acc[j + 1] = Vector256.Sum(a1);
            acc[rows + j] = Vector256.Sum(b0); acc[rows + j + 1] = Vector256.Sum(b1);
            acc[2 * rows + j] = Vector256.Sum(c0); acc[2 * rows + j + 1] = Vector256.Sum(c1);
            acc[3 * rows + j] = Vector256.Sum(d0); acc[3 * rows + j + 1] = Vector256.Sum(d1);
        }
        for (; j < rows; j++)
            for (int s = 0; s < 4; s++) Vnni(x + (long)s * kPadded, w + (long)j * kPadded, 1, kPadded, acc + (long)s * rows + j);
    }

    /// <summary>Two samples × four rows per step: eight sums, two input loads and four weight loads per 32 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    private static void VnniPair(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        byte* y = x + kPadded;
        int j = 0;
        for (; j + 4 <= rows; j += 4)
        {
            sbyte* w0 = w + (long)j * kPadded, w1 = w0 + kPadded, w2 = w1 + kPadded, w3 = w2 + kPadded;
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int k = 0; k < kPadded; k += Pad)
            {
                Vector256<byte> xv = Vector256.Load(x + k), yv = Vector256.Load(y + k);
                Vector256<sbyte> v0 = Vector256.Load(w0 + k), v1 = Vector256.Load(w1 + k);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, xv, v0); b0 = AvxVnni.MultiplyWideningAndAdd(b0, yv, v0);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, xv, v1); b1 = AvxVnni.MultiplyWideningAndAdd(b1, yv, v1);
                Vector256<sbyte> v2 = Vector256.Load(w2 + k), v3 = Vector256.Load(w3 + k);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, xv, v2); b2 = AvxVnni.MultiplyWideningAndAdd(b2, yv, v2);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, xv, v3); b3 = AvxVnni.MultiplyWideningAndAdd(b3, yv, v3);
            }
            acc[j] = Vector256.Sum(a0); acc[j + 1] = Vector256.Sum(a1); acc[j + 2] = Vector256.Sum(a2); acc[j + 3] = Vector256.Sum(a3);
            acc[rows + j] = Vector256.Sum(b0); acc[rows + j + 1] = Vector256.Sum(b1);
            acc[rows + j + 2] = Vector256.Sum(b2); acc[rows + j + 3] = Vector256.Sum(b3);
        }
        if (j < rows)
        {
            Vnni(x, w + (long)j * kPadded, rows - j, kPadded, acc + j);
            Vnni(y, w + (long)j * kPadded, rows - j, kPadded, acc + rows + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    private static void Vnni(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        int j = 0;
        // Eight rows at a time: eight independent sums keep two dot-product instructions a cycle in flight (four
        // left each waiting on its own previous result: 784-128-10 int8 batch-1 Predict 1.5 → 1.1 µs, Zen 5).
        for (; j + 8 <= rows; j += 8)
        {
            sbyte* w0 = w + (long)j * kPadded;
            long r = kPadded;
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int k = 0; k < kPadded; k += Pad)
            {
                Vector256<byte> xv = Vector256.Load(x + k);
                sbyte* wk = w0 + k;
                s0 = AvxVnni.MultiplyWideningAndAdd(s0, xv, Vector256.Load(wk));
                s1 = AvxVnni.MultiplyWideningAndAdd(s1, xv, Vector256.Load(wk + r));
                s2 = AvxVnni.MultiplyWideningAndAdd(s2, xv, Vector256.Load(wk + 2 * r));
                s3 = AvxVnni.MultiplyWideningAndAdd(s3, xv, Vector256.Load(wk + 3 * r));
                s4 = AvxVnni.MultiplyWideningAndAdd(s4, xv, Vector256.Load(wk + 4 * r));
                s5 = AvxVnni.MultiplyWideningAndAdd(s5, xv, Vector256.Load(wk + 5 * r));
                s6 = AvxVnni.MultiplyWideningAndAdd(s6, xv, Vector256.Load(wk + 6 * r));
                s7 = AvxVnni.MultiplyWideningAndAdd(s7, xv, Vector256.Load(wk + 7 * r));
            }
            acc[j] = Vector256.Sum(s0); acc[j + 1] = Vector256.Sum(s1); acc[j + 2] = Vector256.Sum(s2); acc[j + 3] = Vector256.Sum(s3);
            acc[j + 4] = Vector256.Sum(s4); acc[j + 5] = Vector256.Sum(s5); acc[j + 6] = Vector256.Sum(s6); acc[j + 7] = Vector256.Sum(s7);
        }
        for (; j + 4 <= rows; j += 4)
        {
            sbyte* w0 = w + (long)j * kPadded, w1 = w0 + kPadded, w2 = w1 + kPadded, w3 = w2 + kPadded;
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int k = 0; k < kPadded; k += Pad)
            {
                Vector256<byte> xv = Vector256.Load(x + k);
                s0 = AvxVnni.MultiplyWideningAndAdd(s0, xv, Vector256.Load(w0 + k));
                s1 = AvxVnni.MultiplyWideningAndAdd(s1, xv, Vector256.Load(w1 + k));
                s2 = AvxVnni.MultiplyWideningAndAdd(s2, xv, Vector256.Load(w2 + k));
                s3 = AvxVnni.MultiplyWideningAndAdd(s3, xv, Vector256.Load(w3 + k));
            }
            acc[j] = Vector256.Sum(s0);
            acc[j + 1] = Vector256.Sum(s1);
            acc[j + 2] = Vector256.Sum(s2);
            acc[j + 3] = Vector256.Sum(s3);
        }
        for (; j < rows; j++)
        {
            sbyte* wj = w + (long)j * kPadded;
            Vector256<int> s = default;
            for (int k = 0; k < kPadded; k += Pad) s = AvxVnni.MultiplyWideningAndAdd(s, Vector256.Load(x + k), Vector256.Load(wj + k));
            acc[j] = Vector256.Sum(s);
        }
    }

    /// <summary>Rows interleaved per group in <see cref="Interleave"/>.</summary>
    internal const int Group = 8;

    /// <summary>
    /// The weights [rows × kPadded] with each group of <see cref="Group"/> rows interleaved in chunks of <see cref="Pad"/>
    /// bytes ([group][chunk][row in group][32 bytes], rows past the last zero), in a pinned array whose blocks start at
    /// <paramref name="start"/>, a 64-byte boundary: what <see cref="MultiplyInterleaved"/> reads as one stream.
    /// </summary>
    /// <remarks>
    /// Why: the eight-row kernel reading the rows in place streams eight rows at once, and on Zen 5 eight streams ran at
    /// 1.5× the time of one over the same bytes (measured with fp32 rows: see <see cref="InterleavedGemv"/>).
    /// </remarks>
    internal static sbyte[] Interleave(sbyte[] weights, int rows, int kPadded, out int start)
    {
        int groups = (rows + Group - 1) / Group, chunks = kPadded / Pad;
        var data = GC.AllocateArray<sbyte>(checked(groups * Group * kPadded + 64), pinned: true);
        fixed (sbyte* p = data) start = (int)((64 - ((nuint)p & 63)) & 63);
        for (int j = 0; j < rows; j++)
            for (int c = 0; c < chunks; c++)
                weights.AsSpan(j * kPadded + c * Pad, Pad).CopyTo(data.AsSpan(start + ((j / Group * chunks + c) * Group + j % Group) * Pad, Pad));
        return data;
    }

    /// <summary>
    /// acc[j] = Σₖ x[k] · w[j, k] for j &lt; rows from the weights as <see cref="Interleave"/> stores them (w: the first block),
    /// on the AVX-VNNI path: eight sums per group, one load of x per eight of w, the same integers as <see cref="Multiply(byte*, sbyte*, int, int, int*)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    internal static void MultiplyInterleaved(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        int* sums = stackalloc int[Group];
        for (int j = 0; j < rows; j += Group, w += (long)Group * kPadded)
        {
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            sbyte* wk = w;
            for (int k = 0; k < kPadded; k += Pad, wk += Group * Pad)
            {
                Vector256<byte> xv = Vector256.Load(x + k);
                s0 = AvxVnni.MultiplyWideningAndAdd(s0, xv, Vector256.LoadAligned(wk));
                s1 = AvxVnni.MultiplyWideningAndAdd(s1, xv, Vector256.LoadAligned(wk + 32));
                s2 = AvxVnni.MultiplyWideningAndAdd(s2, xv, Vector256.LoadAligned(wk + 64));
                s3 = AvxVnni.MultiplyWideningAndAdd(s3, xv, Vector256.LoadAligned(wk + 96));
                s4 = AvxVnni.MultiplyWideningAndAdd(s4, xv, Vector256.LoadAligned(wk + 128));
                s5 = AvxVnni.MultiplyWideningAndAdd(s5, xv, Vector256.LoadAligned(wk + 160));
                s6 = AvxVnni.MultiplyWideningAndAdd(s6, xv, Vector256.LoadAligned(wk + 192));
                s7 = AvxVnni.MultiplyWideningAndAdd(s7, xv, Vector256.LoadAligned(wk + 224));
            }
            sums[0] = Vector256.Sum(s0); sums[1] = Vector256.Sum(s1); sums[2] = Vector256.Sum(s2); sums[3] = Vector256.Sum(s3);
            sums[4] = Vector256.Sum(s4); sums[5] = Vector256.Sum(s5); sums[6] = Vector256.Sum(s6); sums[7] = Vector256.Sum(s7);
            int count = Math.Min(Group, rows - j);
            for (int r = 0; r < count; r++) acc[j + r] = sums[r];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    private static void Widening(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        int j = 0;
        for (; j + 4 <= rows; j += 4)
        {
            sbyte* w0 = w + (long)j * kPadded, w1 = w0 + kPadded, w2 = w1 + kPadded, w3 = w2 + kPadded;
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int k = 0; k < kPadded; k += 16)
            {
                Vector256<short> xv = Avx2.ConvertToVector256Int16(Vector128.Load(x + k)); // zero-extended
                s0 += Avx2.MultiplyAddAdjacent(xv, Avx2.ConvertToVector256Int16(Vector128.Load(w0 + k))); // sign-extended
                s1 += Avx2.MultiplyAddAdjacent(xv, Avx2.ConvertToVector256Int16(Vector128.Load(w1 + k)));
                s2 += Avx2.MultiplyAddAdjacent(xv, Avx2.ConvertToVector256Int16(Vector128.Load(w2 + k)));
                s3 += Avx2.MultiplyAddAdjacent(xv, Avx2.ConvertToVector256Int16(Vector128.Load(w3 + k)));
            }
            acc[j] = Vector256.Sum(s0);
            acc[j + 1] = Vector256.Sum(s1);
            acc[j + 2] = Vector256.Sum(s2);
            acc[j + 3] = Vector256.Sum(s3);
        }
        for (; j < rows; j++)
        {
            sbyte* wj = w + (long)j * kPadded;
            Vector256<int> s = default;
            for (int k = 0; k < kPadded; k += 16)
                s += Avx2.MultiplyAddAdjacent(Avx2.ConvertToVector256Int16(Vector128.Load(x + k)), Avx2.ConvertToVector256Int16(Vector128.Load(wj + k)));
            acc[j] = Vector256.Sum(s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    private static void Scalar(byte* x, sbyte* w, int rows, int kPadded, int* acc)
    {
        for (int j = 0; j < rows; j++)
        {
            sbyte* wj = w + (long)j * kPadded;
            int s = 0;
            for (int k = 0; k < kPadded; k++) s += x[k] * wj[k];
            acc[j] = s;
        }
    }

    /// <summary>
    /// Dynamic quantization of one input vector to unsigned bytes, v ≈ scale · (q − zeroPoint) with
    /// q = clamp(round(v / scale) + zeroPoint, 0, 255) over the range [min(x, 0), max(x, 0)] (so 0 is exact); the padding
    /// past x's length is 0 (the padded weights are 0 too). Returns (scale, zeroPoint); scale 0 when x is all zeros.
    /// </summary>
    /// <exception cref="ArgumentException">x holds a NaN or an infinity.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no slow first tier on a busy single core
    internal static (float Scale, int ZeroPoint) Quantize(ReadOnlySpan<float> x, byte* q, int kPadded)
    {
        float low = 0f, high = 0f;
        int n = x.Length, k = 0;
        bool vector = Avx2.IsSupported && Sgemm.CurrentPath != "scalar";
        fixed (float* px = x)
        {
            if (vector && n >= 8)
            {
                // MINPS/MAXPS may drop a NaN, so NaN lanes are collected apart; ±∞ makes the range infinite.
                Vector256<float> lo = Vector256<float>.Zero, hi = Vector256<float>.Zero, nan = Vector256<float>.Zero;
                // Four chains of minima and maxima, then one: each MINPS waits for the last (batch-1 Predict 8 % faster).
                if (n >= 32)
                {
                    Vector256<float> lo1 = lo, lo2 = lo, lo3 = lo, hi1 = hi, hi2 = hi, hi3 = hi, nan1 = nan;
                    for (; k + 32 <= n; k += 32)
                    {
                        Vector256<float> v0 = Vector256.Load(px + k), v1 = Vector256.Load(px + k + 8);
                        Vector256<float> v2 = Vector256.Load(px + k + 16), v3 = Vector256.Load(px + k + 24);
                        lo = Avx.Min(lo, v0); lo1 = Avx.Min(lo1, v1); lo2 = Avx.Min(lo2, v2); lo3 = Avx.Min(lo3, v3);
                        hi = Avx.Max(hi, v0); hi1 = Avx.Max(hi1, v1); hi2 = Avx.Max(hi2, v2); hi3 = Avx.Max(hi3, v3);
                        nan |= Avx.CompareUnordered(v0, v1);
                        nan1 |= Avx.CompareUnordered(v2, v3);
                    }
                    lo = Avx.Min(Avx.Min(lo, lo1), Avx.Min(lo2, lo3));
                    hi = Avx.Max(Avx.Max(hi, hi1), Avx.Max(hi2, hi3));
                    nan |= nan1;
                }
                for (; k + 8 <= n; k += 8)
                {
                    Vector256<float> v = Vector256.Load(px + k);
                    lo = Avx.Min(lo, v);
                    hi = Avx.Max(hi, v);
                    nan |= Avx.CompareUnordered(v, v);
                }
                // The lanes' minimum and maximum by halving (exact: the same values as lane by lane; the sign of a zero
                // bound does not change the scale or the zero point); a NaN lane is flagged apart, below.
                lo = Avx.Min(lo, Avx.Permute2x128(lo, lo, 1));
                lo = Avx.Min(lo, Avx.Shuffle(lo, lo, 0b01_00_11_10));
                lo = Avx.Min(lo, Avx.Shuffle(lo, lo, 0b10_11_00_01));
                hi = Avx.Max(hi, Avx.Permute2x128(hi, hi, 1));
                hi = Avx.Max(hi, Avx.Shuffle(hi, hi, 0b01_00_11_10));
                hi = Avx.Max(hi, Avx.Shuffle(hi, hi, 0b10_11_00_01));
                low = MathF.Min(low, lo.ToScalar());
                high = MathF.Max(high, hi.ToScalar());
                if (nan != Vector256<float>.Zero) low = float.NaN;
            }
            for (; k < n; k++) { low = MathF.Min(low, px[k]); high = MathF.Max(high, px[k]); }
            float scale = high / 255f - low / 255f; // not (high − low) / 255: that overflows for ranges past float's largest
            if (!float.IsFinite(scale))
                throw new ArgumentException("The input holds a NaN or an infinity: a quantized network takes finite values only.", nameof(x));
            if (scale == 0f)
            {
                new Span<byte>(q, kPadded).Clear();
                return (0f, 0);
            }
            int zeroPoint = (int)MathF.Round(-low / scale);
            float inverse = 1f / scale;
            k = 0;
            if (vector)
            {
                // 32 values at a time: round to nearest even (as MathF.Round), add the zero point, clamp, narrow to bytes.
                Vector256<float> vi = Vector256.Create(inverse);
                Vector256<int> zp = Vector256.Create(zeroPoint), top = Vector256.Create(255);
                // The last step is moved back to end at n (it recomputes a few values identically), so no scalar tail is left.
                for (; k < n && n >= 32; k += 32)
                {
                    int at = Math.Min(k, n - 32);
                    Vector256<int> i0 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(px + at) * vi) + zp, Vector256<int>.Zero), top);
                    Vector256<int> i1 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(px + at + 8) * vi) + zp, Vector256<int>.Zero), top);
                    Vector256<int> i2 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(px + at + 16) * vi) + zp, Vector256<int>.Zero), top);
                    Vector256<int> i3 = Vector256.Min(Vector256.Max(Avx.ConvertToVector256Int32(Vector256.Load(px + at + 24) * vi) + zp, Vector256<int>.Zero), top);
                    Vector256<ushort> low16 = Vector256.Narrow(i0.AsUInt32(), i1.AsUInt32()), high16 = Vector256.Narrow(i2.AsUInt32(), i3.AsUInt32());
                    Vector256.Store(Vector256.Narrow(low16, high16), q + at);
                }
                k = Math.Max(k, n >= 32 ? n : 0);
            }
            for (; k < n; k++)
                q[k] = (byte)Math.Clamp((int)MathF.Round(px[k] * inverse) + zeroPoint, 0, 255);
            new Span<byte>(q + n, kPadded - n).Clear();
            return (scale, zeroPoint);
        }
    }
}
