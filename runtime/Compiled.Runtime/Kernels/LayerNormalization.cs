using System;

namespace Compiled.Kernels;

/// <summary>
/// Layer normalization over each sample's <c>size</c> values (PyTorch's nn.LayerNorm over a sample's whole shape:
/// a vector's features, an image's C×H×W): y = γ ⊙ (x − μ)/√(σ² + ε) + β, with μ and the biased σ² of the sample
/// (summed in double), γ and β one per value. Backward recomputes μ and σ² from x (nothing is kept from
/// forward), so the training step needs no extra memory. Deterministic; no allocation.
/// </summary>
public static class LayerNormalization
{
    /// <summary>y = γ ⊙ x̂ + β per sample. <paramref name="output"/> may be <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Forward(int rows, int size, ReadOnlySpan<float> input, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon, Span<float> output)
    {
        Check(rows, size, input.Length, gamma.Length, beta.Length);
        KernelChecks.SameLength(output.Length, input.Length, nameof(output), nameof(input));
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * size, size);
            var y = output.Slice(r * size, size);
            var (mean, inverse) = Statistics(x, epsilon);
            for (int i = 0; i < size; i++) y[i] = (float)((x[i] - mean) * inverse) * gamma[i] + beta[i];
        }
    }

    /// <summary>
    /// Backward: ∂γ = Σ over rows of dy ⊙ x̂ and ∂β = Σ dy, written (not added) into <paramref name="gammaGradient"/>
    /// and <paramref name="betaGradient"/>; unless <paramref name="inputGradient"/> is empty, with g = γ ⊙ dy,
    /// dx = (g − mean(g) − x̂·mean(g ⊙ x̂)) / √(σ² + ε) per sample.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Backward(int rows, int size, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> gamma,
        float epsilon, Span<float> gammaGradient, Span<float> betaGradient, Span<float> inputGradient)
    {
        Check(rows, size, input.Length, gamma.Length, gamma.Length);
        KernelChecks.SameLength(outputGradient.Length, input.Length, nameof(outputGradient), nameof(input));
        KernelChecks.SameLength(gammaGradient.Length, size, nameof(gammaGradient), nameof(size));
        KernelChecks.SameLength(betaGradient.Length, size, nameof(betaGradient), nameof(size));
        bool dx = !inputGradient.IsEmpty;
        if (dx) KernelChecks.SameLength(inputGradient.Length, input.Length, nameof(inputGradient), nameof(input));
        gammaGradient.Clear();
        betaGradient.Clear();
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * size, size);
            var dy = outputGradient.Slice(r * size, size);
            var (mean, inverse) = Statistics(x, epsilon);
            double sumG = 0, sumGX = 0;
            for (int i = 0; i < size; i++)
            {
                double xhat = (x[i] - mean) * inverse;
                gammaGradient[i] += (float)(dy[i] * xhat);
                betaGradient[i] += dy[i];
                double g = (double)gamma[i] * dy[i];
                sumG += g;
                sumGX += g * xhat;
            }
            if (!dx) continue;
            double meanG = sumG / size, meanGX = sumGX / size;
            var d = inputGradient.Slice(r * size, size);
            for (int i = 0; i < size; i++)
            {
                double xhat = (x[i] - mean) * inverse;
                d[i] = (float)(((double)gamma[i] * dy[i] - meanG - xhat * meanGX) * inverse);
            }
        }
    }

    /// <summary>The sample's mean and 1/√(biased variance + ε), in double (two passes).</summary>
    private static (double Mean, double Inverse) Statistics(ReadOnlySpan<float> x, float epsilon)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i];
        double mean = sum / x.Length, squares = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - mean;
            squares += d * d;
        }
        return (mean, 1 / Math.Sqrt(squares / x.Length + epsilon));
    }

    private static void Check(int rows, int size, int length, int gamma, int beta)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "A layer normalization normalizes at least one value.");
        KernelChecks.Exactly(length, rows, size, "input", nameof(rows), nameof(size));
        KernelChecks.SameLength(gamma, size, "gamma", nameof(size));
        KernelChecks.SameLength(beta, size, "beta", nameof(size));
    }
}
