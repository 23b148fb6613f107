using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Each augmentation on a small hand-made image (1 channel, 3 rows, 4 columns, values 1 … 12).</summary>
public sealed class ImageAugmentationTests
{
    private static float[] Image() => Enumerable.Range(1, 12).Select(v => (float)v).ToArray();
    //  1  2  3  4
    //  5  6  7  8
    //  9 10 11 12

    [Fact]
    public void Shift_moves_the_content_and_fills_the_uncovered_border()
    {
        var a = new ImageAugmentation(1, 3, 4) { Fill = -1 };
        var image = Image();
        a.Shift(image, dy: 1, dx: -1); // one row down, one column left
        Assert.Equal(new float[]
        {
            -1, -1, -1, -1,
             2,  3,  4, -1,
             6,  7,  8, -1,
        }, image);
    }

    [Fact]
    public void Flip_mirrors_each_row()
    {
        var a = new ImageAugmentation(1, 3, 4);
        var image = Image();
        a.Flip(image);
        Assert.Equal(new float[] { 4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9 }, image);
    }

    [Fact]
    public void Cutout_blanks_a_square_clipped_at_the_border()
    {
        var a = new ImageAugmentation(1, 3, 4) { Cutout = 2 };
        var image = Image();
        a.CutOut(image, cy: 0, cx: 3); // rows −1 … 0, columns 2 … 3: only (0,2) and (0,3) are inside
        Assert.Equal(new float[] { 1, 2, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12 }, image);
    }

    [Fact]
    public void Brightness_and_contrast_stretch_around_the_mean_and_offset()
    {
        var image = Image();
        ImageAugmentation.BrightnessContrast(image, offset: 1f, factor: 2f); // mean 6.5: x → 6.5 + 2(x − 6.5) + 1
        Assert.Equal(Image().Select(x => 6.5f + 2 * (x - 6.5f) + 1).ToArray(), image);
    }

    [Fact]
    public void Apply_is_deterministic_and_flips_about_half_the_images()
    {
        var a = new ImageAugmentation(1, 3, 4) { HorizontalFlip = true };
        var batch = Enumerable.Range(0, 200).SelectMany(_ => Image()).ToArray();
        var again = (float[])batch.Clone();
        a.Apply(batch, 200, new Rng(5));
        a.Apply(again, 200, new Rng(5));
        Assert.Equal(batch, again);
        int flipped = Enumerable.Range(0, 200).Count(s => batch[s * 12] == 4);
        int kept = Enumerable.Range(0, 200).Count(s => batch[s * 12] == 1);
        Assert.Equal(200, flipped + kept);
        Assert.InRange(flipped, 70, 130);
    }

    [Fact]
    public void Noise_has_the_requested_spread_and_everything_else_stays_put_when_off()
    {
        var a = new ImageAugmentation(1, 10, 10) { NoiseStdDev = 0.5f };
        var batch = new float[100 * 100];
        a.Apply(batch, 100, new Rng(1));
        double mean = batch.Average(v => (double)v), sd = Math.Sqrt(batch.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(sd, 0.47, 0.53);

        var off = new ImageAugmentation(1, 3, 4);
        var image = Image();
        off.Apply(image, 1, new Rng(2));
        Assert.Equal(Image(), image);
    }

    [Fact]
    public void Bad_sizes_are_refused()
    {
        var a = new ImageAugmentation(1, 3, 4);
        Assert.Throws<ArgumentException>(() => a.Apply(new float[13], 1, new Rng(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(0, 3, 4));
        var net = new Compiled.Tests.Networks.DigitsNet();
        var data = new Dataset(new float[64 * 4], 64, new float[4], 1);
        Assert.Throws<ArgumentException>(() => net.Fit(data, new FitOptions { Epochs = 1, Augmentation = new ImageAugmentation(1, 7, 7) }));
    }

    [Fact]
    public void Fit_with_augmentation_trains_deterministically_and_leaves_the_data_alone()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        var before = (float[])train.Features.Clone();
        var options = new FitOptions { Epochs = 3, BatchSize = 32, Seed = 2, Augmentation = new ImageAugmentation(1, 8, 8) { MaxShift = 1, NoiseStdDev = 0.05f } };
        var a = new Compiled.Tests.Networks.DigitsNet();
        var b = new Compiled.Tests.Networks.DigitsNet();
        a.Fit(train, options);
        b.Fit(train, options);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.Equal(before, train.Features);
        var plain = new Compiled.Tests.Networks.DigitsNet();
        plain.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32, Seed = 2 });
        Assert.NotEqual(plain.Parameters.ToArray(), a.Parameters.ToArray());
        Assert.True(a.Evaluate(test).Accuracy > 0.6, $"accuracy {a.Evaluate(test).Accuracy}");
    }
}
