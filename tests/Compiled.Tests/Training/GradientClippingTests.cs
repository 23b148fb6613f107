using System;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>Gradient clipping by value and by global norm, through plain SGD (p −= η·g) so the step shows the clipped gradient.</summary>
public sealed class GradientClippingTests
{
    [Fact]
    public void Clip_by_norm_scales_a_long_gradient_to_the_limit()
    {
        // g = (3, 4): ‖g‖ = 5 > 1, so the step uses g·1/(5 + 1e-6) ≈ (0.6, 0.8); η = 1.
        var sgd = new Sgd(1f) { ClipNorm = 1f };
        var p = new float[] { 0, 0 };
        var g = new float[] { 3, 4 };
        sgd.Step(p, g);
        Assert.Equal(-0.6f, p[0], 5);
        Assert.Equal(-0.8f, p[1], 5);
        Assert.Equal(new float[] { 3, 4 }, g); // the caller's gradient is untouched
    }

    [Fact]
    public void A_short_gradient_is_not_changed_by_norm_clipping()
    {
        var sgd = new Sgd(1f) { ClipNorm = 10f };
        var p = new float[] { 0, 0 };
        sgd.Step(p, new float[] { 3, 4 });
        Assert.Equal(new float[] { -3, -4 }, p);
    }

    [Fact]
    public void Clip_by_value_clamps_each_gradient_then_norm_clipping_applies()
    {
        var sgd = new Sgd(1f) { ClipValue = 2f };
        var p = new float[3];
        sgd.Step(p, new float[] { -5, 1, 3 });
        Assert.Equal(new float[] { 2, -1, -2 }, p);

        // Value first: (−5, 1, 3) → (−2, 1, 2), norm 3; then norm 1.5: × 1.5/3.
        var both = new Sgd(1f) { ClipValue = 2f, ClipNorm = 1.5f };
        var q = new float[3];
        both.Step(q, new float[] { -5, 1, 3 });
        Assert.Equal(1f, q[0], 5);
        Assert.Equal(-0.5f, q[1], 5);
        Assert.Equal(-1f, q[2], 5);
    }

    [Fact]
    public void Bad_limits_are_refused()
    {
        var adam = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.ClipNorm = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.ClipValue = float.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.ClipNorm = float.PositiveInfinity);
    }
}
