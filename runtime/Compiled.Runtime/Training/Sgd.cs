using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Stochastic gradient descent, optionally with momentum (PyTorch's form):
/// v = μ·v + g; p −= η·v. With <see cref="Momentum"/> = 0 this is p −= η·g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[]? _velocity;

    /// <summary>Creates SGD with learning rate η and momentum μ ∈ [0, 1).</summary>
    public Sgd(float learningRate = 0.01f, float momentum = 0f) : base(learningRate)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must lie in [0, 1), such as 0.9.");
        Momentum = momentum;
    }

    /// <summary>The momentum coefficient μ.</summary>
    public float Momentum { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float lr = LearningRate;
        int n = parameters.Length;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        int i = 0;
        if (Momentum == 0)
        {
            if (Vector.IsHardwareAccelerated)
            {
                var vlr = new Vector<float>(lr);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var pv = Vector.LoadUnsafe(ref p, (nuint)i) - vlr * Vector.LoadUnsafe(ref g, (nuint)i);
                    pv.StoreUnsafe(ref p, (nuint)i);
                }
            }
            for (; i < n; i++) Unsafe.Add(ref p, i) -= lr * Unsafe.Add(ref g, i);
            return;
        }

        float mu = Momentum;
        ref float v = ref MemoryMarshal.GetArrayDataReference(State(ref _velocity, n));
        if (Vector.IsHardwareAccelerated)
        {
            var vlr = new Vector<float>(lr);
            var vmu = new Vector<float>(mu);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vv = vmu * Vector.LoadUnsafe(ref v, (nuint)i) + Vector.LoadUnsafe(ref g, (nuint)i);
                vv.StoreUnsafe(ref v, (nuint)i);
                (Vector.LoadUnsafe(ref p, (nuint)i) - vlr * vv).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float vi = Unsafe.Add(ref v, i) = mu * Unsafe.Add(ref v, i) + Unsafe.Add(ref g, i);
            Unsafe.Add(ref p, i) -= lr * vi;
        }
    }
}
