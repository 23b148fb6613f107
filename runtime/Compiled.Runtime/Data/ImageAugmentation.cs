using System;

namespace Compiled;

/// <summary>
/// Random changes to training images, drawn anew for every sample of every minibatch, so the network
/// sees a slightly different picture each epoch: a classic regularizer for small image data sets.
/// Images are [channels, height, width] per sample (NCHW, as <c>[Input(c, h, w)]</c>). Set the ones you
/// want; each is off by default. Give it to <see cref="FitOptions.Augmentation"/>, or call
/// <see cref="Apply"/> yourself. Deterministic from the <see cref="Rng"/>; allocates nothing after the
/// first call. Not thread-safe (one instance per training loop).
/// </summary>
/// <remarks>
/// Order per sample: rotation and scaling, crop/translation, horizontal flip, cutout, brightness and contrast, noise.
/// </remarks>
public sealed class ImageAugmentation
{
    private float[] _scratch = Array.Empty<float>();

    /// <summary>Augmentation of images of the given shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive.</exception>
    public ImageAugmentation(int channels, int height, int width)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be positive.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "Height must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be positive.");
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>Columns per image.</summary>
    public int Width { get; }

    /// <summary>Values per image.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>
    /// Rotate by a random angle in [−MaxRotation, MaxRotation] degrees about the image's centre (positive:
    /// counter-clockwise, as torchvision's RandomRotation), sampling bilinearly; pixels whose source falls outside
    /// the image take <see cref="Fill"/>. 0: off; at most 180.
    /// </summary>
    public float MaxRotation { get; init; }

    /// <summary>
    /// Zoom by a random factor in [1 − MaxScale, 1 + MaxScale] about the image's centre (above 1: closer), with the
    /// rotation, sampling bilinearly and filling as it does. 0: off; below 1.
    /// </summary>
    public float MaxScale { get; init; }

    /// <summary>Mirror left-right with probability 1/2 (for images whose meaning survives it: clothes, not digits).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>
    /// Shift by a random whole number of pixels in [−MaxShift, MaxShift] along each axis, filling with
    /// <see cref="Fill"/>: the same as a random crop of the image padded by MaxShift on every side.
    /// </summary>
    public int MaxShift { get; init; }

    /// <summary>The value uncovered pixels take after a shift, and the cutout's value (default 0, black).</summary>
    public float Fill { get; init; }

    /// <summary>Side of a square set to <see cref="Fill"/> at a random position (its center anywhere in the image; it may hang over the border); 0: off.</summary>
    public int Cutout { get; init; }

    /// <summary>Add a random offset in [−Brightness, Brightness] to every pixel of an image.</summary>
    public float Brightness { get; init; }

    /// <summary>Scale every pixel's distance from the image's mean by a random factor in [1 − Contrast, 1 + Contrast].</summary>
    public float Contrast { get; init; }

    /// <summary>Standard deviation of Gaussian noise added to every pixel (0: off).</summary>
    public float NoiseStdDev { get; init; }

    /// <summary>Augments <paramref name="count"/> images stored one after another in <paramref name="images"/>, in place.</summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> does not hold count images.</exception>
    public void Apply(Span<float> images, int count, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 0 || (long)count * ImageSize != images.Length)
            throw new ArgumentException($"images has {images.Length} values: expected {count} images of {ImageSize} ({Channels}×{Height}×{Width}).", nameof(images));
        if (MaxShift < 0 || Cutout < 0 || !(Brightness >= 0) || !(Contrast >= 0 && Contrast < 1) || !(NoiseStdDev >= 0)
            || !(MaxRotation >= 0 && MaxRotation <= 180) || !(MaxScale >= 0 && MaxScale < 1))
            throw new InvalidOperationException("MaxShift, Cutout, Brightness and NoiseStdDev must be 0 or more, Contrast and MaxScale in [0, 1), MaxRotation in [0, 180] degrees.");
        for (int s = 0; s < count; s++)
        {
            var image = images.Slice(s * ImageSize, ImageSize);
            if (MaxRotation > 0 || MaxScale > 0)
            {
                float degrees = MaxRotation > 0 ? rng.NextUniform(-MaxRotation, MaxRotation) : 0f;
                float scale = MaxScale > 0 ? rng.NextUniform(1 - MaxScale, 1 + MaxScale) : 1f;
                RotateScale(image, degrees, scale);
            }
            if (MaxShift > 0) Shift(image, rng.NextInt(2 * MaxShift + 1) - MaxShift, rng.NextInt(2 * MaxShift + 1) - MaxShift);
            if (HorizontalFlip && rng.NextInt(2) == 1) Flip(image);
            if (Cutout > 0) CutOut(image, rng.NextInt(Height), rng.NextInt(Width));
            if (Brightness > 0 || Contrast > 0)
            {
                float offset = Brightness > 0 ? rng.NextUniform(-Brightness, Brightness) : 0f;
                float factor = Contrast > 0 ? rng.NextUniform(1 - Contrast, 1 + Contrast) : 1f;
                BrightnessContrast(image, offset, factor);
            }
            if (NoiseStdDev > 0)
                for (int i = 0; i < image.Length; i++) image[i] += NoiseStdDev * (float)rng.NextGaussian();
        }
    }

    /// <summary>Moves the content <paramref name="dy"/> rows down and <paramref name="dx"/> columns right, filling the uncovered border.</summary>
    internal void Shift(Span<float> image, int dy, int dx)
    {
        if (dy == 0 && dx == 0) return;
        if (_scratch.Length < ImageSize) _scratch = new float[ImageSize]; // once: allocation-free afterwards
        var source = _scratch.AsSpan(0, ImageSize);
        image.CopyTo(source);
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
            {
                int sy = y - dy;
                var row = image.Slice((c * Height + y) * Width, Width);
                if (sy < 0 || sy >= Height)
                {
                    row.Fill(Fill);
                    continue;
                }
                var from = source.Slice((c * Height + sy) * Width, Width);
                for (int x = 0; x < Width; x++)
                {
                    int sx = x - dx;
                    row[x] = sx >= 0 && sx < Width ? from[sx] : Fill;
                }
            }
    }

    /// <summary>
    /// Output pixel (y, x) takes the bilinear sample of the input at the centre plus R(−θ)·((x, y) − centre)/scale
    /// (θ counter-clockwise on the screen, y pointing down), or <see cref="Fill"/> where that point is outside the
    /// image. Coordinates within 1e-9 of a whole number are taken as whole, so a quarter turn moves pixels exactly.
    /// </summary>
    internal void RotateScale(Span<float> image, float degrees, float scale)
    {
        if (_scratch.Length < ImageSize) _scratch = new float[ImageSize];
        var source = _scratch.AsSpan(0, ImageSize);
        image.CopyTo(source);
        double theta = degrees * Math.PI / 180, cos = Math.Cos(theta) / scale, sin = Math.Sin(theta) / scale;
        double cy = (Height - 1) / 2.0, cx = (Width - 1) / 2.0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                double dx = x - cx, dy = y - cy;
                double sx = Whole(cx + cos * dx - sin * dy), sy = Whole(cy + sin * dx + cos * dy);
                for (int c = 0; c < Channels; c++)
                    image[(c * Height + y) * Width + x] = Sample(source.Slice(c * Height * Width, Height * Width), sy, sx);
            }

        static double Whole(double v)
        {
            double r = Math.Round(v);
            return Math.Abs(v - r) < 1e-9 ? r : v;
        }
    }

    /// <summary>The bilinear interpolation of <paramref name="plane"/> at (y, x); <see cref="Fill"/> outside [0, H − 1] × [0, W − 1].</summary>
    private float Sample(ReadOnlySpan<float> plane, double y, double x)
    {
        if (!(y >= 0 && y <= Height - 1 && x >= 0 && x <= Width - 1)) return Fill;
        int y0 = (int)y, x0 = (int)x;
        int y1 = Math.Min(y0 + 1, Height - 1), x1 = Math.Min(x0 + 1, Width - 1);
        double fy = y - y0, fx = x - x0;
        double top = fx == 0 ? plane[y0 * Width + x0] : plane[y0 * Width + x0] * (1 - fx) + plane[y0 * Width + x1] * fx;
        if (fy == 0) return (float)top;
        double bottom = fx == 0 ? plane[y1 * Width + x0] : plane[y1 * Width + x0] * (1 - fx) + plane[y1 * Width + x1] * fx;
        return (float)(top * (1 - fy) + bottom * fy);
    }

    /// <summary>Mirrors every row.</summary>
    internal void Flip(Span<float> image)
    {
        for (int r = 0; r < Channels * Height; r++) image.Slice(r * Width, Width).Reverse();
    }

    /// <summary>Sets the Cutout × Cutout square centred at (<paramref name="cy"/>, <paramref name="cx"/>) to Fill, in every channel.</summary>
    internal void CutOut(Span<float> image, int cy, int cx)
    {
        int top = Math.Max(0, cy - Cutout / 2), bottom = Math.Min(Height, cy - Cutout / 2 + Cutout);
        int left = Math.Max(0, cx - Cutout / 2), right = Math.Min(Width, cx - Cutout / 2 + Cutout);
        for (int c = 0; c < Channels; c++)
            for (int y = top; y < bottom; y++)
                image.Slice((c * Height + y) * Width + left, Math.Max(0, right - left)).Fill(Fill);
    }

    /// <summary>x ← mean + factor·(x − mean) + offset, the mean taken over the whole image.</summary>
    internal static void BrightnessContrast(Span<float> image, float offset, float factor)
    {
        double sum = 0;
        foreach (float v in image) sum += v;
        float mean = (float)(sum / image.Length);
        for (int i = 0; i < image.Length; i++) image[i] = mean + factor * (image[i] - mean) + offset;
    }
}
