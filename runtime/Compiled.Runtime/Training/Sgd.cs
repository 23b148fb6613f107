using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>Where the learning rate enters SGD's momentum; the two agree while the learning rate is constant.</summary>
public enum MomentumForm
{
    /// <summary>
    /// PyTorch's <c>torch.optim.SGD</c>: the velocity sums gradients, v = μ·v + g; p −= η·v. A new learning rate
    /// scales the whole accumulated velocity at once.
    /// </summary>
    PyTorch,

    /// <summary>
    /// Sutskever et al. (2013), Keras and TensorFlow: the velocity sums steps, v = μ·v − η·g; p += v. A new
    /// learning rate applies to new gradients only, and the velocity decays from the old steps.
    /// </summary>
    Sutskever,
}

/// <summary>
/// Stochastic gradient descent, optionally with momentum, Nesterov momentum and L2 weight decay. With the
/// defaults (<see cref="MomentumForm.PyTorch"/>), step t with gradient g is PyTorch's <c>torch.optim.SGD</c>
/// (dampening 0):
/// <code>
/// g' = g + λ·p                                  (weight decay λ)
/// v  = μ·v + g'                                 (momentum μ; v starts at 0)
/// p −= η·(Nesterov ? g' + μ·v : v)
/// </code>
/// With <see cref="MomentumForm.Sutskever"/>: v = μ·v − η·g'; p += (Nesterov ? μ·v − η·g' : v). With
/// <see cref="Momentum"/> = 0 both are p −= η·g'.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[]? _velocity;
    private float _lr;

    /// <summary>Creates SGD with learning rate η and momentum μ ∈ [0, 1).</summary>
    /// <param name="learningRate">η, a positive finite number; PyTorch has no default, 0.01 here.</param>
    /// <param name="momentum">μ ∈ [0, 1); 0 (the default) is plain SGD with no state.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0), as PyTorch's <c>nesterov=True</c>.</param>
    /// <param name="weightDecay">λ ≥ 0, an L2 penalty added to the gradient (PyTorch's <c>weight_decay</c>).</param>
    /// <param name="form">Where η enters the momentum: <see cref="MomentumForm.PyTorch"/> (default) or <see cref="MomentumForm.Sutskever"/>.</param>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f, MomentumForm form = MomentumForm.PyTorch)
        : base(learningRate)
    {
        Momentum = Fraction(momentum, nameof(momentum), "Momentum must lie in [0, 1), such as 0.9.");
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs a momentum above 0, such as 0.9; or pass nesterov: false.", nameof(nesterov));
        WeightDecay = NonNegative(weightDecay, nameof(weightDecay), WeightDecayFix);
        if (form is not (MomentumForm.PyTorch or MomentumForm.Sutskever))
            throw new ArgumentOutOfRangeException(nameof(form), form, "The momentum form must be MomentumForm.PyTorch or MomentumForm.Sutskever.");
        Nesterov = nesterov;
        Form = form;
    }

    /// <summary>The momentum coefficient μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the step looks ahead along the velocity (Nesterov momentum).</summary>
    public bool Nesterov { get; }

    /// <summary>The L2 weight decay λ added to the gradient as λ·p.</summary>
    public float WeightDecay { get; }

    /// <summary>Where the learning rate enters the momentum.</summary>
    public MomentumForm Form { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        _lr = LearningRate;
        if (Momentum != 0) State(ref _velocity, parameters.Length);
        UpdateAll(parameters, gradients);
    }

    private protected override void UpdateChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        if (Momentum == 0) Plain(parameters, gradients, _lr, WeightDecay);
        else WithMomentum(parameters, gradients, _velocity.AsSpan(offset, parameters.Length), _lr, Momentum, WeightDecay, Nesterov, Form == MomentumForm.Sutskever);
    }

    /// <summary>p −= η·(g + λp).</summary>
    private static void Plain(Span<float> parameters, ReadOnlySpan<float> gradients, float lr, float wd)
    {
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var vwd = new Vector<float>(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pv = Vector.LoadUnsafe(ref p, (nuint)i);
                (pv - vlr * (Vector.LoadUnsafe(ref g, (nuint)i) + vwd * pv)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            ref float pi = ref Unsafe.Add(ref p, i);
            pi -= lr * (Unsafe.Add(ref g, i) + wd * pi);
        }
    }

    /// <summary>
    /// PyTorch form: g' = g + λp; v = μv + g'; p −= η·(Nesterov ? g' + μv : v).
    /// Sutskever form: s = η·(g + λp); v = μv − s; p += (Nesterov ? μv − s : v).
    /// </summary>
    private static void WithMomentum(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float lr, float mu, float wd, bool nesterov, bool sutskever)
    {
        int n = parameters.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var vmu = new Vector<float>(mu);
            var vwd = new Vector<float>(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var pv = Vector.LoadUnsafe(ref p, (nuint)i);
                var gv = Vector.LoadUnsafe(ref g, (nuint)i) + vwd * pv;
                if (sutskever)
                {
                    var step = vlr * gv;
                    var vv = vmu * Vector.LoadUnsafe(ref v, (nuint)i) - step;
                    vv.StoreUnsafe(ref v, (nuint)i);
                    (pv + (nesterov ? vmu * vv - step : vv)).StoreUnsafe(ref p, (nuint)i);
                }
                else
                {
                    var vv = vmu * Vector.LoadUnsafe(ref v, (nuint)i) + gv;
                    vv.StoreUnsafe(ref v, (nuint)i);
                    (pv - vlr * (nesterov ? gv + vmu * vv : vv)).StoreUnsafe(ref p, (nuint)i);
                }
            }
        }
        for (; i < n; i++)
        {
            ref float pi = ref Unsafe.Add(ref p, i);
            ref float vi = ref Unsafe.Add(ref v, i);
            float gi = Unsafe.Add(ref g, i) + wd * pi;
            if (sutskever)
            {
                float step = lr * gi;
                vi = mu * vi - step;
                pi += nesterov ? mu * vi - step : vi;
            }
            else
            {
                vi = mu * vi + gi;
                pi -= lr * (nesterov ? gi + mu * vi : vi);
            }
        }
    }

    private protected override OptimizerKind Kind => OptimizerKind.Sgd;

    /// <summary>μ, Nesterov (0 or 1), λ, form (0 PyTorch, 1 Sutskever).</summary>
    private protected override float[] Settings() => [Momentum, Nesterov ? 1 : 0, WeightDecay, (float)Form];

    private protected override float[]?[] Buffers() => Momentum == 0 ? [] : [_velocity];

    private protected override void SetBuffers(float[]?[] buffers)
    {
        if (Momentum != 0) _velocity = buffers[0];
    }
}
