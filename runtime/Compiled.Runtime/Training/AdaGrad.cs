using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// AdaGrad (Duchi, Hazan &amp; Singer, 2011), as PyTorch's <c>torch.optim.Adagrad</c>: every parameter's step shrinks with
/// the sum of its squared gradients. Step t with gradient g:
/// <code>
/// g' = g + λ·p                                  (weight decay λ)
/// G += g'²                                      (G starts at the initial accumulator value)
/// p −= η_t · g' / (√G + ε),   η_t = η / (1 + (t − 1)·δ)   (learning-rate decay δ)
/// </code>
/// </summary>
public sealed class AdaGrad : Optimizer
{
    private float[]? _sum;
    private float _lrT;

    /// <summary>Creates AdaGrad; the defaults are PyTorch's.</summary>
    /// <param name="learningRate">η (PyTorch's <c>lr</c>, 1e-2).</param>
    /// <param name="epsilon">ε &gt; 0, added to √G (PyTorch's <c>eps</c>, 1e-10).</param>
    /// <param name="initialAccumulator">G's value before the first step, ≥ 0 (PyTorch's <c>initial_accumulator_value</c>, 0).</param>
    /// <param name="learningRateDecay">δ ≥ 0: step t uses η / (1 + (t − 1)·δ) (PyTorch's <c>lr_decay</c>, 0).</param>
    /// <param name="weightDecay">λ ≥ 0, an L2 penalty added to the gradient (PyTorch's <c>weight_decay</c>, 0).</param>
    public AdaGrad(float learningRate = 0.01f, float epsilon = 1e-10f, float initialAccumulator = 0f, float learningRateDecay = 0f, float weightDecay = 0f)
        : base(learningRate)
    {
        Epsilon = Positive(epsilon, nameof(epsilon), "ε must be positive, such as 1e-10.");
        InitialAccumulator = NonNegative(initialAccumulator, nameof(initialAccumulator), "The initial accumulator value must be a finite number ≥ 0, such as 0 or 0.1.");
        LearningRateDecay = NonNegative(learningRateDecay, nameof(learningRateDecay), "The learning-rate decay must be a finite number ≥ 0, such as 0 (off) or 1e-4.");
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay), WeightDecayFix);
    }

    /// <summary>Added to √G for numerical stability.</summary>
    public float Epsilon { get; }

    /// <summary>The value every squared-gradient sum G starts from.</summary>
    public float InitialAccumulator { get; }

    /// <summary>δ: step t uses the learning rate η / (1 + (t − 1)·δ).</summary>
    public float LearningRateDecay { get; }

    /// <summary>The L2 weight decay λ added to the gradient as λ·p.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        if (_sum is null) State(ref _sum, parameters.Length).AsSpan().Fill(InitialAccumulator);
        else State(ref _sum, parameters.Length);
        _lrT = (float)(LearningRate / (1 + (step - 1) * (double)LearningRateDecay));
        UpdateAll(parameters, gradients);
    }

    private protected override void UpdateChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sum!), offset);
        float lr = _lrT, eps = Epsilon, wd = WeightDecay;
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var veps = new Vector<float>(eps);
            var vwd = new Vector<float>(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pv = Vector.LoadUnsafe(ref p, (nuint)i);
                var gv = Vector.LoadUnsafe(ref g, (nuint)i) + vwd * pv;
                var sv = Vector.LoadUnsafe(ref s, (nuint)i) + gv * gv;
                sv.StoreUnsafe(ref s, (nuint)i);
                (pv - vlr * (gv / (Vector.SquareRoot(sv) + veps))).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref float pi = ref Unsafe.Add(ref p, i);
            float gi = Unsafe.Add(ref g, i) + wd * pi;
            float si = Unsafe.Add(ref s, i) += gi * gi;
            pi -= lr * (gi / (MathF.Sqrt(si) + eps));
        }
    }

    private protected override OptimizerKind Kind => OptimizerKind.AdaGrad;

    /// <summary>ε, initial accumulator, δ, λ.</summary>
    private protected override float[] Settings() => [Epsilon, InitialAccumulator, LearningRateDecay, WeightDecay];

    /// <summary>G.</summary>
    private protected override float[]?[] Buffers() => [_sum];

    private protected override void SetBuffers(float[]?[] buffers) => _sum = buffers[0];
}
