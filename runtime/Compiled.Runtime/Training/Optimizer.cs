using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Updates a network's parameters from their gradients. An optimizer keeps per-parameter state
/// (moments), so use one optimizer instance per network.
/// </summary>
public abstract class Optimizer
{
    private float _learningRate;

    /// <summary>Creates an optimizer with the given step size.</summary>
    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>The step size; may be changed between steps (a schedule).</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value > 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a positive finite number, such as 0.001.");
            _learningRate = value;
        }
    }

    /// <summary>Number of steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update: <paramref name="parameters"/> move against <paramref name="gradients"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"There are {parameters.Length} parameters but {gradients.Length} gradients.", nameof(gradients));
        StepCount++;
        Update(parameters, gradients, StepCount);
    }

    /// <summary>
    /// Applies one update unless a gradient is NaN or infinite: then nothing changes (parameters,
    /// moments, <see cref="StepCount"/>) and it returns false. One extra read of the gradients, which
    /// keeps a single overflow from poisoning every weight and the optimizer's state.
    /// </summary>
    public bool TryStep(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (!AllFinite(gradients)) return false;
        Step(parameters, gradients);
        return true;
    }

    /// <summary>True when no value is NaN or ±∞: x − x is 0 for every finite x and NaN otherwise, and NaN survives the sum.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            // Four independent accumulators, so the adds do not wait on each other: a pass at memory speed.
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            int v = 0;
            for (; v <= vectors.Length - 4; v += 4)
            {
                a0 += vectors[v] - vectors[v];
                a1 += vectors[v + 1] - vectors[v + 1];
                a2 += vectors[v + 2] - vectors[v + 2];
                a3 += vectors[v + 3] - vectors[v + 3];
            }
            for (; v < vectors.Length; v++) a0 += vectors[v] - vectors[v];
            if (!float.IsFinite(Vector.Sum((a0 + a1) + (a2 + a3)))) return false;
            i = vectors.Length * Vector<float>.Count;
        }
        float tail = 0;
        for (; i < values.Length; i++) tail += values[i] - values[i];
        return tail == 0;
    }

    /// <summary>The update rule; <paramref name="step"/> counts from 1.</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    /// <summary>
    /// Returns this optimizer's state buffer of <paramref name="length"/> floats, allocating it on the
    /// first step (warm-up) and refusing a change of size: one optimizer serves one network.
    /// </summary>
    protected static float[] State(ref float[]? state, int length)
    {
        if (state is null) return state = new float[length];
        if (state.Length != length)
            throw new InvalidOperationException($"This optimizer was used with {state.Length} parameters and now with {length}: create one optimizer per network.");
        return state;
    }
}
