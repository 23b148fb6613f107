using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// RMSProp (Tieleman &amp; Hinton, 2012), as PyTorch's <c>torch.optim.RMSprop</c>: the step is divided by a running
/// root mean square of the gradients. Step t with gradient g:
/// <code>
/// g' = g + λ·p                                  (weight decay λ)
/// s  = α·s + (1 − α)·g'²                        (s starts at 0)
/// ḡ  = α·ḡ + (1 − α)·g'                         (centered only; ḡ starts at 0)
/// d  = √(s − ḡ²) + ε   if centered, else √s + ε
/// b  = μ·b + g'/d;  p −= η·b                    (momentum μ &gt; 0; b starts at 0)
/// p −= η·g'/d                                   (momentum 0)
/// </code>
/// Note PyTorch's ε is added outside the square root and defaults to 1e-8; Keras adds it the same way but defaults to 1e-7.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[]? _square, _mean, _buffer;
    private float _lr;

    /// <summary>Creates RMSProp; the defaults are PyTorch's.</summary>
    /// <param name="learningRate">η (PyTorch's <c>lr</c>, 1e-2).</param>
    /// <param name="alpha">α ∈ [0, 1), the squared gradients' decay (PyTorch's <c>alpha</c>, 0.99).</param>
    /// <param name="epsilon">ε &gt; 0, added to the root mean square (PyTorch's <c>eps</c>, 1e-8).</param>
    /// <param name="momentum">μ ∈ [0, 1) (PyTorch's <c>momentum</c>, 0: no momentum buffer).</param>
    /// <param name="centered">Divide by the gradients' standard deviation estimate √(s − ḡ²) instead of √s (PyTorch's <c>centered</c>).</param>
    /// <param name="weightDecay">λ ≥ 0, an L2 penalty added to the gradient (PyTorch's <c>weight_decay</c>, 0).</param>
    public RmsProp(float learningRate = 0.01f, float alpha = 0.99f, float epsilon = 1e-8f, float momentum = 0f, bool centered = false, float weightDecay = 0f)
        : base(learningRate)
    {
        Alpha = Fraction(alpha, nameof(alpha), "α must lie in [0, 1), such as 0.99.");
        Epsilon = Positive(epsilon, nameof(epsilon), "ε must be positive, such as 1e-8.");
        Momentum = Fraction(momentum, nameof(momentum), "Momentum must lie in [0, 1), such as 0.9 (0 turns it off).");
        Centered = centered;
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay), WeightDecayFix);
    }

    /// <summary>The decay α of the running mean of squared gradients.</summary>
    public float Alpha { get; }

    /// <summary>Added to the root mean square for numerical stability.</summary>
    public float Epsilon { get; }

    /// <summary>The momentum coefficient μ (0: none).</summary>
    public float Momentum { get; }

    /// <summary>Whether the gradients' running mean is subtracted (centered RMSProp).</summary>
    public bool Centered { get; }

    /// <summary>The L2 weight decay λ added to the gradient as λ·p.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        int n = parameters.Length;
        State(ref _square, n);
        if (Centered) State(ref _mean, n);
        if (Momentum != 0) State(ref _buffer, n);
        _lr = LearningRate;
        UpdateAll(parameters, gradients);
    }

    private protected override void UpdateChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        int n = parameters.Length, i = 0;
        bool centered = Centered, momentum = Momentum != 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_square!), offset);
        // Unused buffers point at s: never read or written, since their flags are off.
        ref float a = ref centered ? ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_mean!), offset) : ref s;
        ref float b = ref momentum ? ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer!), offset) : ref s;
        float lr = _lr, alpha = Alpha, eps = Epsilon, mu = Momentum, wd = WeightDecay;
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var valpha = new Vector<float>(alpha); var vbeta = new Vector<float>(1 - alpha);
            var veps = new Vector<float>(eps);
            var vmu = new Vector<float>(mu);
            var vwd = new Vector<float>(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pv = Vector.LoadUnsafe(ref p, (nuint)i);
                var gv = Vector.LoadUnsafe(ref g, (nuint)i) + vwd * pv;
                var sv = valpha * Vector.LoadUnsafe(ref s, (nuint)i) + vbeta * (gv * gv);
                sv.StoreUnsafe(ref s, (nuint)i);
                if (centered)
                {
                    var av = valpha * Vector.LoadUnsafe(ref a, (nuint)i) + vbeta * gv;
                    av.StoreUnsafe(ref a, (nuint)i);
                    sv -= av * av;
                }
                var step = gv / (Vector.SquareRoot(sv) + veps);
                if (momentum)
                {
                    step += vmu * Vector.LoadUnsafe(ref b, (nuint)i);
                    step.StoreUnsafe(ref b, (nuint)i);
                }
                (pv - vlr * step).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref float pi = ref Unsafe.Add(ref p, i);
            float gi = Unsafe.Add(ref g, i) + wd * pi;
            float si = Unsafe.Add(ref s, i) = alpha * Unsafe.Add(ref s, i) + (1 - alpha) * (gi * gi);
            if (centered)
            {
                float ai = Unsafe.Add(ref a, i) = alpha * Unsafe.Add(ref a, i) + (1 - alpha) * gi;
                si -= ai * ai;
            }
            float step = gi / (MathF.Sqrt(si) + eps);
            if (momentum) step = Unsafe.Add(ref b, i) = mu * Unsafe.Add(ref b, i) + step;
            pi -= lr * step;
        }
    }

    private protected override OptimizerKind Kind => OptimizerKind.RmsProp;

    /// <summary>α, ε, μ, centered (0 or 1), λ.</summary>
    private protected override float[] Settings() => [Alpha, Epsilon, Momentum, Centered ? 1 : 0, WeightDecay];

    /// <summary>s, then ḡ if centered, then b if momentum.</summary>
    private protected override float[]?[] Buffers() => (Centered, Momentum != 0) switch
    {
        (false, false) => [_square],
        (true, false) => [_square, _mean],
        (false, true) => [_square, _buffer],
        (true, true) => [_square, _mean, _buffer],
    };

    private protected override void SetBuffers(float[]?[] buffers)
    {
        int k = 0;
        _square = buffers[k++];
        if (Centered) _mean = buffers[k++];
        if (Momentum != 0) _buffer = buffers[k];
    }
}
