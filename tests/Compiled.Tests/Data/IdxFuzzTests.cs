using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using CsCheck;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Property-based and fuzz tests of the IDX reader (reliability issue, item 13): valid files round-trip;
/// damaged ones load exactly what an independent reference decoder finds in them, or are rejected with an
/// <see cref="InvalidDataException"/> naming the file, never another exception, and never at a memory cost
/// out of proportion to the file. Short by default; see <see cref="Fuzz.Iter"/>.
/// </summary>
public class IdxFuzzTests
{
    /// <summary>Valid image files: up to 6 images of up to 5×5 random pixels.</summary>
    private static readonly Gen<(int Count, int Rows, int Columns, byte[] Pixels)> Images =
        Gen.SelectMany(Gen.Int[0, 6], Gen.Int[1, 5], Gen.Int[1, 5],
            (count, rows, columns) => Gen.Byte.Array[count * rows * columns].Select(pixels => (count, rows, columns, pixels)));

    private static readonly Gen<byte[]> LabelData = Gen.Byte.Array[0, 40];

    [Fact]
    public void Images_RoundTrip()
    {
        using var dir = new TempDirectory();
        Gen.Select(Images, Gen.Bool).Sample(sample =>
        {
            ((int count, int rows, int columns, byte[] pixels), bool gzip) = sample;
            string path = dir.Write(Guid.NewGuid().ToString("N"), IdxTests.IdxBytes(0x08, [count, rows, columns], pixels), gzip);

            float[] loaded = Idx.ReadImages(path, out int c, out int r, out int k);

            Assert.Equal((count, rows, columns), (c, r, k));
            Assert.Equal(pixels.Select(p => p / 255f), loaded);
        }, iter: Fuzz.Iter(200), threads: 1);
    }

    [Fact]
    public void Labels_RoundTrip()
    {
        using var dir = new TempDirectory();
        Gen.Select(LabelData, Gen.Bool).Sample((labels, gzip) =>
        {
            string path = dir.Write(Guid.NewGuid().ToString("N"), IdxTests.Labels(labels), gzip);
            Assert.Equal(labels.Select(l => (int)l), Idx.ReadLabels(path));
        }, iter: Fuzz.Iter(200), threads: 1);
    }

    [Fact]
    public void DamagedImageFiles_LoadWhatIsThereOrAreRejected()
    {
        using var dir = new TempDirectory();
        Gen.Select(Images, Mutation.Gen, Gen.Bool).Sample((image, mutation, gzip) =>
        {
            byte[] damaged = mutation.Apply(IdxTests.IdxBytes(0x08, [image.Count, image.Rows, image.Columns], image.Pixels), headerWords: 4);
            string path = dir.Write(Guid.NewGuid().ToString("N"), damaged, gzip);

            var (loaded, error, allocated) = Measured.Run(() => (Idx.ReadImages(path, out int c, out int r, out int k), c, r, k));

            var expected = ReferenceImages(damaged);
            if (expected is null)
            {
                Assert.StartsWith(path, Assert.IsType<InvalidDataException>(error).Message);
            }
            else
            {
                Assert.Null(error);
                Assert.Equal(expected.Value.Dims, (loaded.c, loaded.r, loaded.k));
                Assert.Equal(expected.Value.Pixels, loaded.Item1);
            }
            AssertProportionate(allocated, damaged.Length, gzip);
        }, iter: Fuzz.Iter(400), threads: 1);
    }

    [Fact]
    public void DamagedLabelFiles_LoadWhatIsThereOrAreRejected()
    {
        using var dir = new TempDirectory();
        Gen.Select(LabelData, Mutation.Gen, Gen.Bool).Sample((labels, mutation, gzip) =>
        {
            byte[] damaged = mutation.Apply(IdxTests.Labels(labels), headerWords: 2);
            string path = dir.Write(Guid.NewGuid().ToString("N"), damaged, gzip);

            var (loaded, error, allocated) = Measured.Run(() => Idx.ReadLabels(path));

            int[]? expected = ReferenceLabels(damaged);
            if (expected is null) Assert.StartsWith(path, Assert.IsType<InvalidDataException>(error).Message);
            else Assert.Equal(expected, loaded);
            AssertProportionate(allocated, damaged.Length, gzip);
        }, iter: Fuzz.Iter(400), threads: 1);
    }

    [Fact]
    public void DamagedGzip_LoadsTheOriginalOrIsRejected()
    {
        using var dir = new TempDirectory();
        Gen.Select(LabelData, Mutation.Gen).Sample((labels, mutation) =>
        {
            byte[] compressed = TempDirectory.Gzip(IdxTests.Labels(labels));
            byte[] damaged = mutation.Apply(compressed);
            string path = dir.Write(Guid.NewGuid().ToString("N"), damaged);

            var (loaded, error, _) = Measured.Run(() => Idx.ReadLabels(path));

            if (damaged.AsSpan().SequenceEqual(compressed) || error is null)
            {
                // Undamaged, or damaged where gzip ignores it (the header's time stamp, say): the original data.
                Assert.Null(error);
                Assert.Equal(labels.Select(l => (int)l), loaded);
            }
            else
            {
                Assert.StartsWith(path, Assert.IsType<InvalidDataException>(error).Message);
            }
            // A cut or lengthened gzip file is never accepted.
            if (damaged.Length != compressed.Length) Assert.NotNull(error);
        }, iter: Fuzz.Iter(400), threads: 1);
    }

    /// <summary>
    /// Memory stays proportional to the file, whatever its header claims: a plain file costs at most its
    /// pixels as floats plus fixed buffers; gzip data grows its array by doubling, up to 4 × 4 bytes per byte.
    /// </summary>
    internal static void AssertProportionate(long allocated, int contentLength, bool gzip)
    {
        long bound = (gzip ? 16L : 8L) * contentLength + Measured.FixedBytes;
        Assert.True(allocated <= bound, $"allocated {allocated} bytes for {contentLength} bytes of content (bound {bound})");
    }

    /// <summary>An independent decoder of the IDX image format, or null if the bytes are not a valid image file.</summary>
    private static ((int, int, int) Dims, float[] Pixels)? ReferenceImages(byte[] b)
    {
        if (b.Length < 16 || b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] != 3) return null;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4));
        uint rows = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(8));
        uint columns = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(12));
        if (count > int.MaxValue || rows > int.MaxValue || columns > int.MaxValue || rows == 0 || columns == 0) return null;
        if ((UInt128)count * rows * columns != (UInt128)(b.Length - 16)) return null;
        return (((int)count, (int)rows, (int)columns), b[16..].Select(p => p / 255f).ToArray());
    }

    /// <summary>An independent decoder of the IDX label format, or null if the bytes are not a valid label file.</summary>
    private static int[]? ReferenceLabels(byte[] b)
    {
        if (b.Length < 8 || b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] != 1) return null;
        uint count = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4));
        return count == b.Length - 8 ? b[8..].Select(l => (int)l).ToArray() : null;
    }
}
