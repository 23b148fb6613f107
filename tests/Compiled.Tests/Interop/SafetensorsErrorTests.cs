using System;
using System.Buffers.Binary;
using System.IO;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>
/// Every way a file can fail to be this network's tensors: each a clear <see cref="InvalidDataException"/>
/// naming the tensor, what is wrong and what was expected, and the network unchanged afterwards.
/// </summary>
public sealed class SafetensorsErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-safetensors-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The export of a TinyBn, as header text and data, for the tests to damage.</summary>
    private static readonly (string Header, byte[] Data) Valid = SafetensorsFiles.Split(SafetensorsFiles.Export(new TinyBn(seed: 1)));

    private static byte[] WithHeader(string find, string replace)
    {
        Assert.Contains(find, Valid.Header);
        return SafetensorsFiles.Build(Valid.Header.Replace(find, replace), Valid.Data);
    }

    /// <summary>Reads <paramref name="file"/> (seekable or not) into a fresh network; asserts it failed and left the network alone.</summary>
    private static string Fails(byte[] file, bool seekable = true)
    {
        var net = new TinyBn(seed: 9);
        float[] parameters = net.Parameters.ToArray(), state = net.State.ToArray();
        Stream stream = seekable ? new MemoryStream(file) : new UnseekableStream(file);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(stream, net));
        Assert.Equal(parameters, net.Parameters.ToArray());
        Assert.Equal(state, net.State.ToArray());
        return e.Message;
    }

    [Fact]
    public void Valid_file_reads_both_ways() // the baseline the damaged files differ from
    {
        var net = new TinyBn(seed: 9);
        Safetensors.Read(new UnseekableStream(SafetensorsFiles.Build(Valid.Header, Valid.Data)), net);
        Assert.Equal(new TinyBn(seed: 1).Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Truncated_data_changes_nothing(bool seekable)
    {
        // The header is fine; the data stops 4 bytes short: a seekable stream is refused on its offsets, an
        // unseekable one only once the data runs out, after the header passed every check.
        byte[] file = SafetensorsFiles.Build(Valid.Header, Valid.Data[..^4]);
        string message = Fails(file, seekable);
        Assert.Contains(seekable ? "outside the data (60 bytes in the file)" : "is truncated: it ends inside the data of tensor 'batchnorm1.running_var'", message);
    }

    [Fact]
    public void Header_length_beyond_the_stream_is_refused_before_allocating()
    {
        byte[] file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 1000);
        Assert.Contains("announces a header of 1000 bytes but only 8 bytes follow", Fails(file));
        Assert.Contains("ends inside the header (1000 bytes announced, 8 present)", Fails(file, seekable: false));
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void Header_length_above_the_cap_is_refused(ulong length)
    {
        byte[] file = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        Assert.Contains($"announces a header of {length} bytes, above the limit of 100000000", Fails(file, seekable: false));
    }

    [Fact]
    public void Lying_header_length_on_an_unseekable_stream_costs_only_the_bytes_present()
    {
        byte[] file = new byte[8 + 100];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 99_999_999); // just under the cap
        var net = new TinyBn(seed: 9);
        var stream = new UnseekableStream(file);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(stream, net));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("ends inside the header (99999999 bytes announced, 100 present)", e.Message);
        Assert.InRange(allocated, 0, 1 << 20); // the chunk and the bytes read, not the 100 MB announced
    }

    [Fact]
    public void File_shorter_than_the_length_prefix() => Assert.Contains("ends inside the 8-byte header length", Fails(new byte[5]));

    [Fact]
    public void Header_that_is_not_json_or_not_an_object()
    {
        Assert.Contains("not valid JSON", Fails(SafetensorsFiles.Build("{\"dense1.weight\":", Valid.Data)));
        Assert.Contains("is a JSON Array, not an object of tensors", Fails(SafetensorsFiles.Build("[1,2]", Valid.Data)));
    }

    [Fact]
    public void Header_that_is_not_utf8()
    {
        byte[] file = SafetensorsFiles.Build(Valid.Header, Valid.Data);
        file[8 + Valid.Header.IndexOf("dense1", StringComparison.Ordinal)] = 0xF4; // a lead byte with no continuation
        Assert.Contains("has a header that is not valid UTF-8", Fails(file));
    }

    [Fact]
    public void Offsets_outside_the_data() =>
        Assert.Contains("'batchnorm1.running_var' has data_offsets [56, 68] outside the data (64 bytes: the size of the network's tensors)",
            Fails(WithHeader("\"data_offsets\":[56,64]", "\"data_offsets\":[56,68]")));

    [Fact]
    public void Reversed_offsets() =>
        Assert.Contains("'dense1.bias' has data_offsets [32, 24] that end before they begin",
            Fails(WithHeader("\"data_offsets\":[24,32]", "\"data_offsets\":[32,24]")));

    [Fact]
    public void Offsets_of_the_wrong_size() =>
        Assert.Contains("'dense1.bias' has data_offsets [24, 36] spanning 12 bytes; a F32 [2] tensor takes 8",
            Fails(WithHeader("\"data_offsets\":[24,32]", "\"data_offsets\":[24,36]")));

    [Fact]
    public void Overlapping_offsets()
    {
        // batchnorm1.weight moved 4 bytes back: it overlaps dense1.bias [24, 32].
        string message = Fails(WithHeader("\"data_offsets\":[32,40]", "\"data_offsets\":[28,36]"));
        Assert.Contains("tensor 'batchnorm1.weight' at [28, 36] overlaps tensor 'dense1.bias', which ends at 32", message);
    }

    [Fact]
    public void Offsets_leaving_a_gap_point_outside_the_data()
    {
        // The offsets must tile the network's 64 bytes: a gap (nothing at [0, 8]) pushes a tensor past them.
        byte[] file = SafetensorsFiles.Build(Valid.Header.Replace("\"data_offsets\":[0,8]", "\"data_offsets\":[64,72]"), [.. Valid.Data, .. new byte[8]]);
        Assert.Contains("'batchnorm1.num_batches_tracked' has data_offsets [64, 72] outside the data (64 bytes: the size of the network's tensors)", Fails(file));
    }

    [Fact]
    public void Missing_tensor_is_named()
    {
        int start = Valid.Header.IndexOf(",\"batchnorm1.running_var\"", StringComparison.Ordinal);
        string header = Valid.Header[..start] + "}";
        string message = Fails(SafetensorsFiles.Build(header, Valid.Data[..^8]));
        Assert.Contains("has no tensor 'batchnorm1.running_var' (F32 [2])", message);
        Assert.Contains("the network needs dense1.weight, dense1.bias, batchnorm1.weight", message);
    }

    /// <summary>One entry of the valid header changed (<paramref name="find"/> → <paramref name="replace"/>).</summary>
    [Theory]
    // dtype
    [InlineData("\"dtype\":\"F32\",\"shape\":[2,2]", "\"dtype\":\"F16\",\"shape\":[2,2]", "tensor 'dense1.weight' has dtype F16; expected F32 (convert it with .float() before saving)")]
    [InlineData("\"dtype\":\"I64\"", "\"dtype\":\"I32\"", "tensor 'batchnorm1.num_batches_tracked' has dtype I32; expected I64")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[2,2]", "\"dtype\":32,\"shape\":[2,2]", "tensor 'dense1.weight' has no dtype string; expected \"F32\"")]
    // shape
    [InlineData("\"shape\":[2,2]", "\"shape\":[4]", "tensor 'dense1.weight' has shape [4]; expected [2, 2]")]
    [InlineData("\"shape\":[]", "\"shape\":[1]", "tensor 'batchnorm1.num_batches_tracked' has shape [1]; expected []")]
    [InlineData("\"shape\":[2,2]", "\"shape\":[-2,2]", "tensor 'dense1.weight' has shape element -2; expected a non-negative integer")]
    [InlineData("\"shape\":[2,2]", "\"shape\":\"2x2\"", "tensor 'dense1.weight' has no shape array")]
    // names and entries
    [InlineData("\"dense1.weight\"", "\"dense9.weight\"", "has a tensor 'dense9.weight' that the network does not have; expected only dense1.weight, dense1.bias,")]
    [InlineData("\"dense1.bias\":{", "\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},\"dense1.bias\":{", "has tensor 'dense1.bias' twice")]
    [InlineData("\"dense1.bias\":{", "\"dense1.bias\":{\"scale\":1,", "tensor 'dense1.bias' has an unknown field 'scale'; expected only dtype, shape and data_offsets")]
    [InlineData("\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}", "\"dense1.bias\":3", "tensor 'dense1.bias' is a JSON Number")]
    [InlineData("{\"format\":\"pt\"}", "{\"format\":1}", "__metadata__ entry 'format' that is a JSON Number; expected a string")]
    [InlineData("\"dense1.bias\":{", "\"dense1.bias\":{\"dtype\":\"F16\",", "tensor 'dense1.bias' has field 'dtype' twice")]
    [InlineData("{\"__metadata__\"", "{\"__metadata__\":{},\"__metadata__\"", "has __metadata__ twice")]
    public void Damaged_entry_is_named_with_what_was_expected(string find, string replace, string expected) =>
        Assert.Contains(expected, Fails(WithHeader(find, replace)));

    [Fact]
    public void Load_refuses_trailing_bytes_and_directories()
    {
        var net = new TinyBn(seed: 9);
        float[] before = net.Parameters.ToArray();
        string path = Path.Combine(_dir, "trailing.safetensors");
        File.WriteAllBytes(path, [.. SafetensorsFiles.Build(Valid.Header, Valid.Data), 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path, net));
        Assert.Contains($"Safetensors file '{path}' has 3 bytes after the tensors' data", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(_dir, net));
        Assert.Contains("is a directory, not a safetensors file", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void A_file_of_another_network_names_the_first_mismatch()
    {
        byte[] mlp = SafetensorsFiles.Export(new TorchMlpInterop());
        Assert.Contains("tensor 'dense1.weight' has shape [6, 4]; expected [2, 2]", Fails(mlp));
    }
}
