using System;
using System.IO;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Runtime;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FashionMlp Trained()
    {
        var net = new FashionMlp(seed: 4);
        var rng = new Rng(8);
        var x = new float[16 * FashionMlp.InputSize];
        var t = new float[16];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        for (int i = 0; i < t.Length; i++) t[i] = rng.NextInt(10);
        var adam = new Adam();
        for (int step = 0; step < 3; step++) net.TrainStep(x, t, adam);
        return net;
    }

    [Fact]
    public void Save_then_load_is_bit_exact_and_predicts_identically()
    {
        var net = Trained();
        string path = Path.Combine(_dir, "mlp.cmpl");
        net.Save(path);
        Assert.Equal(24 + 4 * FashionMlp.ParameterCount + 4, new FileInfo(path).Length); // the documented layout
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));

        var copy = new FashionMlp(seed: 99);
        Assert.False(copy.Parameters.SequenceEqual(net.Parameters));
        copy.Load(path);
        Assert.True(MemoryExtensions.SequenceEqual(copy.Parameters, net.Parameters));
        Assert.Equal(BitsOf(net.Parameters.ToArray()), BitsOf(copy.Parameters.ToArray()));

        var x = Enumerable.Range(0, 3 * FashionMlp.InputSize).Select(i => (i % 17) / 17f).ToArray();
        Assert.Equal(net.Predict(x), copy.Predict(x));
    }

    private static int[] BitsOf(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void Corrupt_truncated_or_foreign_files_are_refused_and_leave_weights_untouched()
    {
        var net = Trained();
        var stream = new MemoryStream();
        net.Save(stream);
        byte[] good = stream.ToArray();
        var target = new FashionMlp(seed: 5);
        var original = target.Parameters.ToArray();

        void Refused(byte[] bytes, string expected)
        {
            var error = Assert.Throws<InvalidDataException>(() => target.Load(new MemoryStream(bytes)));
            Assert.Contains(expected, error.Message);
            Assert.True(target.Parameters.SequenceEqual(original), "a refused file must not change the weights");
        }

        var flipped = (byte[])good.Clone();
        flipped[1000] ^= 0x40;
        Refused(flipped, "checksum");
        Refused(good[..(good.Length - 10)], "truncated");
        Refused(good[..10], "truncated");
        var magic = (byte[])good.Clone();
        magic[0] = (byte)'X';
        Refused(magic, "not a Compiled weight file");
        var version = (byte[])good.Clone();
        version[8] = 9;
        Refused(version, "version 9");

        // Same parameter count, other activation: the architecture signature differs.
        var other = new FashionMlpTanh();
        var otherStream = new MemoryStream();
        other.Save(otherStream);
        Refused(otherStream.ToArray(), "different architecture");

        // Another network entirely: the count differs.
        var small = new DigitsNet();
        var smallStream = new MemoryStream();
        small.Save(smallStream);
        Refused(smallStream.ToArray(), "parameters");
    }
}
