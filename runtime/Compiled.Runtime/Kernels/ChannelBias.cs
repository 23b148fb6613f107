using System;

namespace Compiled.Kernels;

/// <summary>A bias per channel over [batch, channels, plane] values: its addition and its gradient.</summary>
public static class ChannelBias
{
    /// <summary>data[b, c, ·] += bias[c].</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is not batch · channels · plane long, or <paramref name="bias"/> not channels.</exception>
    public static void Add(int batch, int channels, int plane, ReadOnlySpan<float> bias, Span<float> data)
    {
        Check(batch, channels, plane, bias.Length, data.Length);
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < channels; c++)
            {
                var row = data.Slice((b * channels + c) * plane, plane);
                float v = bias[c];
                int i = 0;
                if (System.Numerics.Vector.IsHardwareAccelerated)
                {
                    var vb = new System.Numerics.Vector<float>(v);
                    for (; i <= plane - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
                        (new System.Numerics.Vector<float>(row.Slice(i)) + vb).CopyTo(row.Slice(i));
                }
                for (; i < plane; i++) row[i] += v;
            }
    }

    /// <summary>gradient[c] = Σ over the batch and the plane of outputGradient[b, c, ·] (overwritten), summed in a fixed order.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Gradient(int batch, int channels, int plane, ReadOnlySpan<float> outputGradient, Span<float> gradient)
    {
        Check(batch, channels, plane, gradient.Length, outputGradient.Length);
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++)
            {
                var row = outputGradient.Slice((b * channels + c) * plane, plane);
                for (int i = 0; i < row.Length; i++) sum += row[i];
            }
            gradient[c] = (float)sum;
        }
    }

    private static void Check(int batch, int channels, int plane, int biasLength, int dataLength)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must not be negative.");
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "There must be at least one channel.");
        if (plane <= 0) throw new ArgumentOutOfRangeException(nameof(plane), plane, "The plane must hold at least one value.");
        if (biasLength != channels) throw new ArgumentException($"The bias has {biasLength} values: expected one per channel ({channels}).", "bias");
        long size = (long)batch * channels * plane;
        if (dataLength != size) throw new ArgumentException($"The data has {dataLength} values: expected batch · channels · plane = {size}.", "data");
    }
}
