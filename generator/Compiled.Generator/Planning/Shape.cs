using System.Globalization;

namespace Compiled.Generator.Planning;

/// <summary>
/// The shape of one sample between layers: a vector [Channels] (rank 1, Height = Width = 1) or an image
/// [Channels, Height, Width] (rank 3, NCHW). A sample is stored contiguously in that order, so any
/// rank-3 shape is also a vector of <see cref="Size"/> values (what Flatten and Dense read).
/// A time axis (rank 2, [steps, features]) will be another rank of this same type.
/// </summary>
internal readonly struct Shape : System.IEquatable<Shape>
{
    private Shape(int rank, int channels, int height, int width)
    {
        Rank = rank;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public static Shape Vector(int size) => new(1, size, 1, 1);

    public static Shape Image(int channels, int height, int width) => new(3, channels, height, width);

    public int Rank { get; }

    /// <summary>Channels of an image; the length of a vector.</summary>
    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Values per sample, in 64 bits (the planner checks it fits an int before anything uses <see cref="Size"/>).</summary>
    public long LongSize => (long)Channels * Height * Width;

    /// <summary>Values per sample.</summary>
    public int Size => checked((int)LongSize);

    public bool IsImage => Rank == 3;

    /// <summary>"[784]" or "[16×28×28]", for comments and messages.</summary>
    public override string ToString() => IsImage
        ? string.Format(CultureInfo.InvariantCulture, "[{0}×{1}×{2}]", Channels, Height, Width)
        : string.Format(CultureInfo.InvariantCulture, "[{0}]", Channels);

    public bool Equals(Shape other) => Rank == other.Rank && Channels == other.Channels && Height == other.Height && Width == other.Width;

    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    public override int GetHashCode() => ((Rank * 397 ^ Channels) * 397 ^ Height) * 397 ^ Width;
}

/// <summary>A shape whose dimensions are still 64-bit: what a layer's shape rule returns before the planner checks the sizes.</summary>
internal readonly struct LongShape
{
    public LongShape(int rank, long channels, long height, long width)
    {
        Rank = rank;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public static LongShape Vector(long size) => new(1, size, 1, 1);

    public static LongShape Image(long channels, long height, long width) => new(3, channels, height, width);

    public static LongShape Of(Shape shape) => new(shape.Rank, shape.Channels, shape.Height, shape.Width);

    public int Rank { get; }

    public long Channels { get; }

    public long Height { get; }

    public long Width { get; }

    /// <summary>Values per sample, saturating at long.MaxValue instead of wrapping.</summary>
    public long Size
    {
        get
        {
            try { return checked(Channels * Height * Width); }
            catch (System.OverflowException) { return long.MaxValue; }
        }
    }

    /// <summary>The int shape; only valid once <see cref="Size"/> has been checked against the array limit.</summary>
    public Shape ToShape() => Rank == 3 ? Shape.Image((int)Channels, (int)Height, (int)Width) : Shape.Vector((int)Channels);
}
