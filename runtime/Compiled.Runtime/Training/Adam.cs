using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015): m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
/// p −= η · m̂ / (√v̂ + ε), with the bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
/// </summary>
public sealed class Adam : Optimizer
{
    private float[]? _m, _v;

    /// <summary>Creates Adam; the defaults are the paper's.</summary>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must lie in [0, 1), such as 0.9.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must lie in [0, 1), such as 0.999.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive, such as 1e-8.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to √v̂ for numerical stability.</summary>
    public float Epsilon { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        int n = parameters.Length;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetArrayDataReference(State(ref _m, n));
        ref float v = ref MemoryMarshal.GetArrayDataReference(State(ref _v, n));
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        // Fold both bias corrections into the step: η_t = η·√(1−β₂ᵗ)/(1−β₁ᵗ), ε_t = ε·√(1−β₂ᵗ).
        double c2 = Math.Sqrt(1 - Math.Pow(b2, step));
        float lrT = (float)(LearningRate * c2 / (1 - Math.Pow(b1, step)));
        float epsT = (float)(eps * c2);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1); var vc1 = new Vector<float>(1 - b1);
            var vb2 = new Vector<float>(b2); var vc2 = new Vector<float>(1 - b2);
            var vlr = new Vector<float>(lrT); var veps = new Vector<float>(epsT);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref g, (nuint)i);
                var mi = vb1 * Vector.LoadUnsafe(ref m, (nuint)i) + vc1 * gi;
                var vi = vb2 * Vector.LoadUnsafe(ref v, (nuint)i) + vc2 * gi * gi;
                mi.StoreUnsafe(ref m, (nuint)i);
                vi.StoreUnsafe(ref v, (nuint)i);
                (Vector.LoadUnsafe(ref p, (nuint)i) - vlr * mi / (Vector.SquareRoot(vi) + veps)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = Unsafe.Add(ref m, i) = b1 * Unsafe.Add(ref m, i) + (1 - b1) * gi;
            float vi = Unsafe.Add(ref v, i) = b2 * Unsafe.Add(ref v, i) + (1 - b2) * gi * gi;
            Unsafe.Add(ref p, i) -= lrT * mi / (MathF.Sqrt(vi) + epsT);
        }
    }
}
