using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Rotation and scaling (<see cref="ImageAugmentation.MaxRotation"/>, <see cref="ImageAugmentation.MaxScale"/>) on
/// small hand-made images: a quarter turn by hand, and, for any angle and zoom, an image whose values are a linear
/// function of the position (bilinear sampling reproduces it exactly), so every pixel's expected value is the
/// function at the source point worked out by hand.
/// </summary>
public sealed class ImageAugmentationAffineTests
{
    [Fact]
    public void A_quarter_turn_counter_clockwise_moves_every_pixel_exactly_in_every_channel()
    {
        var a = new ImageAugmentation(2, 3, 3);
        float[] image = { 1, 2, 3, 4, 5, 6, 7, 8, 9, /* channel 2 */ 10, 20, 30, 40, 50, 60, 70, 80, 90 };
        a.RotateScale(image, degrees: 90, scale: 1);
        // 1 2 3      3 6 9
        // 4 5 6  →   2 5 8   (the right column comes to the top)
        // 7 8 9      1 4 7
        Assert.Equal(new float[] { 3, 6, 9, 2, 5, 8, 1, 4, 7, 30, 60, 90, 20, 50, 80, 10, 40, 70 }, image);
    }

    /// <summary>v(y, x) = 4y + x + 1: the 3 × 4 image 1 … 12 extended to any point.</summary>
    private static double Linear(double y, double x) => 4 * y + x + 1;

    [Theory]
    [InlineData(0, 2)]        // zoom in: every source inside
    [InlineData(30, 1)]       // rotation: the corners' sources fall outside
    [InlineData(-45, 0.75)]   // zoom out and rotation
    [InlineData(180, 1)]      // half turn: the image reversed
    public void Every_pixel_is_the_image_at_its_source_point_or_the_fill(float degrees, float scale)
    {
        var a = new ImageAugmentation(1, 3, 4) { Fill = -100 };
        float[] image = Enumerable.Range(1, 12).Select(v => (float)v).ToArray();
        a.RotateScale(image, degrees, scale);
        double theta = degrees * Math.PI / 180, cy = 1, cx = 1.5;
        int outside = 0;
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
            {
                // The source of output (y, x): the centre plus the offset turned back by θ and shrunk by the zoom.
                double dx = x - cx, dy = y - cy;
                double sx = cx + (Math.Cos(theta) * dx - Math.Sin(theta) * dy) / scale;
                double sy = cy + (Math.Sin(theta) * dx + Math.Cos(theta) * dy) / scale;
                bool inside = sy > -1e-9 && sy < 2 + 1e-9 && sx > -1e-9 && sx < 3 + 1e-9;
                double expected = inside ? Linear(sy, sx) : -100;
                if (!inside) outside++;
                Assert.True(Math.Abs(image[y * 4 + x] - expected) < 1e-4, $"({y}, {x}) = {image[y * 4 + x]}, expected {expected}");
            }
        Assert.Equal(degrees is 30 or -45, outside > 0);
    }

    [Fact]
    public void Apply_draws_angle_and_zoom_from_the_seed_and_checks_the_ranges()
    {
        var a = new ImageAugmentation(1, 3, 4) { MaxRotation = 20, MaxScale = 0.2f };
        float[] Run()
        {
            float[] batch = Enumerable.Range(0, 5).SelectMany(_ => Enumerable.Range(1, 12).Select(v => (float)v)).ToArray();
            a.Apply(batch, 5, new Rng(3));
            return batch;
        }
        float[] first = Run();
        Assert.Equal(first, Run());
        // Five draws, five different transforms: no two images alike, none left as it was.
        var images = Enumerable.Range(0, 5).Select(i => first.AsSpan(i * 12, 12).ToArray()).ToArray();
        Assert.Equal(5, images.Select(i => string.Join(",", i)).Distinct().Count());
        Assert.DoesNotContain(images, i => i.SequenceEqual(Enumerable.Range(1, 12).Select(v => (float)v)));

        float[] one = new float[12];
        foreach (var bad in new[]
        {
            new ImageAugmentation(1, 3, 4) { MaxRotation = 181 }, new ImageAugmentation(1, 3, 4) { MaxRotation = -1 },
            new ImageAugmentation(1, 3, 4) { MaxScale = 1 }, new ImageAugmentation(1, 3, 4) { MaxScale = float.NaN },
        })
            Assert.Contains("MaxRotation", Assert.Throws<InvalidOperationException>(() => bad.Apply(one, 1, new Rng(1))).Message);
    }
}
