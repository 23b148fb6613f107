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

    [Fact]
    public void Null_and_empty_arguments_are_refused_by_name()
    {
        var net = new FashionMlp();
        using var stream = new MemoryStream();
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => WeightFile.Write(null!, net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => WeightFile.Write(stream, null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => WeightFile.Read(null!, net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => WeightFile.Read(stream, null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => WeightFile.Save(null!, net)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => WeightFile.Save("", net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => WeightFile.Save(Path.Combine(_dir, "x"), null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => WeightFile.Load(null!, net)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => WeightFile.Load("", net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => WeightFile.Load(Path.Combine(_dir, "x"), null!)).ParamName);
    }

    /// <summary>A truncated file says where it ends: inside the parameters, or inside the 4-byte checksum.</summary>
    [Fact]
    public void Truncation_names_the_part_that_is_cut()
    {
        var net = Trained();
        using var full = new MemoryStream();
        net.Save(full);
        byte[] bytes = full.ToArray();
        var copy = new FashionMlp(seed: 5);
        string Cut(int length) =>
            Assert.Throws<InvalidDataException>(() => copy.Load(new MemoryStream(bytes, 0, length))).Message;

        Assert.Contains("ends inside the parameters", Cut(24 + 4 * 100));
        Assert.Contains("ends inside the parameters", Cut(bytes.Length - 5));   // one parameter byte short
        Assert.Contains("ends inside the checksum", Cut(bytes.Length - 4));     // every parameter, no checksum
        Assert.Contains("ends inside the checksum", Cut(bytes.Length - 1));
    }

    [Fact]
    public void Trailing_bytes_are_counted_in_the_message()
    {
        var net = Trained();
        string path = Path.Combine(_dir, "trailing.cmpl");
        net.Save(path);
        File.AppendAllText(path, "abc");
        Assert.Contains("3 trailing bytes", Assert.Throws<InvalidDataException>(() => new FashionMlp().Load(path)).Message);
    }

    [Fact]
    public void Saving_onto_a_directory_is_refused_before_writing()
    {
        foreach (string target in new[] { _dir, _dir + Path.DirectorySeparatorChar })
        {
            var error = Assert.Throws<ArgumentException>(() => new FashionMlp().Save(target));
            Assert.Contains("names a directory", error.Message);
            Assert.Equal("path", error.ParamName);
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_dir)!, Path.GetFileName(_dir) + ".tmp*")); // no temp file left beside it
    }

    /// <summary>A stream that cannot seek is checked as it is read: the message still names the part that is cut.</summary>
    [Fact]
    public void Truncation_of_a_forward_only_stream_names_the_part_that_is_cut()
    {
        var net = Trained();
        using var full = new MemoryStream();
        net.Save(full);
        byte[] bytes = full.ToArray();
        string Cut(int length) => Assert.Throws<InvalidDataException>(() =>
            new FashionMlp(seed: 5).Load(new Compiled.Tests.Serialization.ForwardOnlyStream(bytes[..length]))).Message;

        Assert.Contains("header", Cut(10));
        Assert.Contains("parameters", Cut(24 + 4 * 7));
        Assert.Contains("checksum", Cut(bytes.Length - 2));
    }

    [Fact]
    public void Load_errors_name_the_file()
    {
        string path = Path.Combine(_dir, "short.cmpl");
        File.WriteAllBytes(path, new byte[10]);
        Assert.Contains($"Weight file '{path}'", Assert.Throws<InvalidDataException>(() => new FashionMlp().Load(path)).Message);
    }
}
