using System.Linq;
using System.Runtime.Intrinsics;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary><see cref="VectorTail"/>: the last n − i values of a buffer into a zero-padded vector and back, for 0 to 8 values.</summary>
public sealed class VectorTailTests
{
    [Fact]
    public void Loads_the_tail_then_zeros_and_stores_exactly_the_tail()
    {
        float[] source = Enumerable.Range(1, 20).Select(v => (float)v).ToArray();
        for (int i = 12; i <= 20; i++) // n = 20: tails of 8 down to 0 values
        {
            Vector256<float> v = VectorTail.Load(ref source[0], i, 20);
            for (int lane = 0; lane < 8; lane++)
                Assert.Equal(i + lane < 20 ? source[i + lane] : 0f, v.GetElement(lane));

            float[] target = Enumerable.Repeat(-1f, 24).ToArray();
            VectorTail.Store(Vector256.Create(7f), ref target[0], i, 20);
            for (int k = 0; k < 24; k++)
                Assert.Equal(k >= i && k < 20 ? 7f : -1f, target[k]);
        }
    }
}
