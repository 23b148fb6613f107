using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015), as PyTorch's <c>torch.optim.Adam</c>. Step t with gradient g:
/// <code>
/// g' = g + λ·p                         (L2 weight decay λ; with decoupled weight decay g' = g and p ← p·(1 − η·λ) first)
/// m  = β₁·m + (1 − β₁)·g'
/// v  = β₂·v + (1 − β₂)·g'²
/// p −= η · m̂ / (√v̂ + ε),   m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
/// </code>
/// Both bias corrections are folded into the step, η_t = η·√(1−β₂ᵗ)/(1−β₁ᵗ) and ε_t = ε·√(1−β₂ᵗ), so each
/// element costs p −= η_t·m/(√v + ε_t): the same value as PyTorch's, one division fewer.
/// <see cref="AdamW"/> is Adam with decoupled weight decay and PyTorch's AdamW defaults.
/// </summary>
public class Adam : Optimizer
{
    private float[]? _m, _v;
    private float _lrT, _epsT, _l2, _decay;

    /// <summary>Creates Adam; the defaults are the paper's and PyTorch's.</summary>
    /// <param name="learningRate">η (PyTorch's <c>lr</c>, 1e-3).</param>
    /// <param name="beta1">β₁ ∈ [0, 1), the first moment's decay (PyTorch's <c>betas[0]</c>, 0.9).</param>
    /// <param name="beta2">β₂ ∈ [0, 1), the second moment's decay (PyTorch's <c>betas[1]</c>, 0.999).</param>
    /// <param name="epsilon">ε &gt; 0, added to √v̂ (PyTorch's <c>eps</c>, 1e-8).</param>
    /// <param name="weightDecay">λ ≥ 0 (PyTorch's <c>weight_decay</c>, 0): an L2 penalty added to the gradient, or with <paramref name="decoupledWeightDecay"/> a shrink of the parameters.</param>
    /// <param name="decoupledWeightDecay">Apply λ as AdamW does, p ← p·(1 − η·λ) before the step, instead of through the moments (recent PyTorch's <c>decoupled_weight_decay</c>).</param>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false)
        : base(learningRate)
    {
        Beta1 = Fraction(beta1, nameof(beta1), "β₁ must lie in [0, 1), such as 0.9.");
        Beta2 = Fraction(beta2, nameof(beta2), "β₂ must lie in [0, 1), such as 0.999.");
        Epsilon = Positive(epsilon, nameof(epsilon), "ε must be positive, such as 1e-8.");
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay), WeightDecayFix);
        DecoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to √v̂ for numerical stability.</summary>
    public float Epsilon { get; }

    /// <summary>The weight decay λ: added to the gradient as λ·p, or, when <see cref="DecoupledWeightDecay"/>, applied as p ← p·(1 − η·λ).</summary>
    public float WeightDecay { get; }

    /// <summary>Whether <see cref="WeightDecay"/> shrinks the parameters directly (AdamW) instead of passing through the moments.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        State(ref _m, parameters.Length);
        State(ref _v, parameters.Length);
        float lr = LearningRate;
        double c2 = Math.Sqrt(1 - Math.Pow(Beta2, step));
        _lrT = (float)(lr * c2 / (1 - Math.Pow(Beta1, step)));
        _epsT = (float)(Epsilon * c2);
        _l2 = DecoupledWeightDecay ? 0f : WeightDecay;
        _decay = DecoupledWeightDecay ? (float)(1 - (double)lr * WeightDecay) : 1f;
        UpdateAll(parameters, gradients);
    }

    /// <summary>Per element: g' = g + l2·p; m, v as above; p = decay·p − η_t·m/(√v + ε_t).</summary>
    private protected override void UpdateChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_m!), offset);
        ref float v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_v!), offset);
        float b1 = Beta1, b2 = Beta2, lrT = _lrT, epsT = _epsT, l2 = _l2, decay = _decay;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1); var vc1 = new Vector<float>(1 - b1);
            var vb2 = new Vector<float>(b2); var vc2 = new Vector<float>(1 - b2);
            var vlr = new Vector<float>(lrT); var veps = new Vector<float>(epsT);
            var vl2 = new Vector<float>(l2); var vdecay = new Vector<float>(decay);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pi = Vector.LoadUnsafe(ref p, (nuint)i);
                var gi = Vector.LoadUnsafe(ref g, (nuint)i) + vl2 * pi;
                var mi = vb1 * Vector.LoadUnsafe(ref m, (nuint)i) + vc1 * gi;
                var vi = vb2 * Vector.LoadUnsafe(ref v, (nuint)i) + vc2 * gi * gi;
                mi.StoreUnsafe(ref m, (nuint)i);
                vi.StoreUnsafe(ref v, (nuint)i);
                (vdecay * pi - vlr * mi / (Vector.SquareRoot(vi) + veps)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref float pi = ref Unsafe.Add(ref p, i);
            float gi = Unsafe.Add(ref g, i) + l2 * pi;
            float mi = Unsafe.Add(ref m, i) = b1 * Unsafe.Add(ref m, i) + (1 - b1) * gi;
            float vi = Unsafe.Add(ref v, i) = b2 * Unsafe.Add(ref v, i) + (1 - b2) * gi * gi;
            pi = decay * pi - lrT * mi / (MathF.Sqrt(vi) + epsT);
        }
    }

    /// <summary>Saved as AdamW when the weight decay is decoupled, so either class restores it.</summary>
    private protected override OptimizerKind Kind => DecoupledWeightDecay ? OptimizerKind.AdamW : OptimizerKind.Adam;

    /// <summary>β₁, β₂, ε, λ.</summary>
    private protected override float[] Settings() => [Beta1, Beta2, Epsilon, WeightDecay];

    /// <summary>m, v.</summary>
    private protected override float[]?[] Buffers() => [_m, _v];

    private protected override void SetBuffers(float[]?[] buffers) => (_m, _v) = (buffers[0], buffers[1]);
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019), as PyTorch's <c>torch.optim.AdamW</c>: Adam with the weight decay decoupled
/// from the moments. Each step first shrinks the parameters, p ← p·(1 − η·λ), then takes the Adam step with the raw
/// gradient: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= η · m̂ / (√v̂ + ε).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW; the defaults are PyTorch's (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2).</summary>
    /// <param name="learningRate">η (PyTorch's <c>lr</c>).</param>
    /// <param name="beta1">β₁ ∈ [0, 1), the first moment's decay.</param>
    /// <param name="beta2">β₂ ∈ [0, 1), the second moment's decay.</param>
    /// <param name="epsilon">ε &gt; 0, added to √v̂.</param>
    /// <param name="weightDecay">λ ≥ 0: each step multiplies the parameters by 1 − η·λ (PyTorch's <c>weight_decay</c>).</param>
    public AdamW(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: true)
    {
    }
}
