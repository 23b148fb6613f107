using System;
using System.IO;
using System.Linq;
using System.Text;
using Compiled.Tests.Interop;
using Xunit;

namespace Compiled.Tests.Serialization;

/// <summary>40 → 30: a 1,200-value weight tensor, more than one 4 KB chunk (1,024 floats) of the safetensors reader and writer.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 41)]
[Input(40)]
[Dense(30)]
public partial class WideSafetensorsNet;

/// <summary>
/// Behaviours the mutation run of 2026-11-25 (second session) found untested in Serialization: argument checks of
/// the safetensors API and of <see cref="TensorInfo"/>, tensors longer than one I/O chunk, the messages of damaged
/// safetensors headers, weight files of networks with state (BatchNorm), and the temporary-file naming rules.
/// Every expected value comes from the format's definition or is worked out by hand, not from running the code.
/// </summary>
public sealed class SerializationGapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-serialization-gap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- Safetensors: arguments and long tensors ----

    [Fact]
    public void Safetensors_api_refuses_null_arguments_by_name()
    {
        var net = new TinyBn(seed: 1);
        var stream = new MemoryStream();
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Safetensors.Write(null!, net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => Safetensors.Write(stream, null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Safetensors.Read(null!, net)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => Safetensors.Read(stream, null!)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => Safetensors.Save(Path.Combine(_dir, "a.safetensors"), null!)).ParamName);
        // An existing, valid file: without the check, Load would get as far as reading it into nothing.
        string path = Path.Combine(_dir, "valid.safetensors");
        Safetensors.Save(path, net);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => Safetensors.Load(path, null!)).ParamName);
        Assert.Equal(0, stream.Length); // nothing was written by the refused calls
    }

    [Fact]
    public void A_tensor_longer_than_one_chunk_is_written_value_by_value_and_read_back()
    {
        var net = new WideSafetensorsNet(seed: 5);
        byte[] file = SafetensorsFiles.Export(net);
        var tensors = SafetensorsFiles.Tensors(file);
        // The file's bytes of dense1.weight, read by the test's own parser: 30×40 little-endian floats.
        var (dtype, shape, bytes) = tensors["dense1.weight"];
        Assert.Equal(("F32", "[30,40]"), (dtype, shape));
        var weight = WideSafetensorsNet.Tensors.Single(t => t.Name == "dense1.weight");
        Assert.Equal(1200, weight.Count);
        Assert.Equal(SafetensorsFiles.Floats(net.Parameters.Slice(weight.Offset, weight.Count).ToArray()), bytes);

        var copy = new WideSafetensorsNet(seed: 6);
        Assert.NotEqual(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Safetensors.Read(new MemoryStream(file), copy);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        // And through an unseekable stream, which cannot check lengths up front.
        var third = new WideSafetensorsNet(seed: 7);
        Safetensors.Read(new UnseekableStream(file), third);
        Assert.Equal(net.Parameters.ToArray(), third.Parameters.ToArray());
    }

    // ---- Safetensors: damaged headers (TinyBn's export, as in SafetensorsErrorTests) ----

    private static readonly (string Header, byte[] Data) Valid = SafetensorsFiles.Split(SafetensorsFiles.Export(new TinyBn(seed: 1)));

    private static string ReadFails(string find, string replace)
    {
        Assert.Contains(find, Valid.Header);
        byte[] file = SafetensorsFiles.Build(Valid.Header.Replace(find, replace), Valid.Data);
        var net = new TinyBn(seed: 9);
        float[] before = net.Parameters.ToArray();
        string message = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file), net)).Message;
        Assert.Equal(before, net.Parameters.ToArray());
        return message;
    }

    [Theory]
    // JSON allows a repeated key; the format does not: each field of an entry once.
    [InlineData("\"dense1.bias\":{", "\"dense1.bias\":{\"shape\":[2],", "tensor 'dense1.bias' has field 'shape' twice.")]
    [InlineData("\"dense1.bias\":{", "\"dense1.bias\":{\"data_offsets\":[24,32],", "tensor 'dense1.bias' has field 'data_offsets' twice.")]
    // The float() hint is for float tensors only; the batch counter is an int64.
    [InlineData("\"dtype\":\"I64\"", "\"dtype\":\"F32\"", "tensor 'batchnorm1.num_batches_tracked' has dtype F32; expected I64.")]
    // A shape is an array of any length; data_offsets is an array of exactly two.
    [InlineData("\"shape\":[2,2]", "\"shape\":{}", "tensor 'dense1.weight' has no shape array.")]
    [InlineData("\"data_offsets\":[8,24]", "\"data_offsets\":[8,16,24]", "tensor 'dense1.weight' has no data_offsets array of 2 integers.")]
    [InlineData("\"data_offsets\":[8,24]", "\"data_offsets\":null", "tensor 'dense1.weight' has no data_offsets array of 2 integers.")]
    // Begin = end is an empty range, not a reversed one: a [2, 2] float tensor needs 16 bytes.
    [InlineData("\"data_offsets\":[8,24]", "\"data_offsets\":[8,8]", "tensor 'dense1.weight' has data_offsets [8, 8] spanning 0 bytes; a F32 [2, 2] tensor takes 16.")]
    [InlineData("{\"format\":\"pt\"}", "[\"pt\"]", "has a __metadata__ that is a JSON Array; expected an object of strings.")]
    public void Damaged_header_says_exactly_what_is_wrong(string find, string replace, string expected) =>
        Assert.EndsWith(expected, ReadFails(find, replace));

    // ---- TensorInfo ----

    [Fact]
    public void TensorInfo_checks_its_arguments()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new TensorInfo(null!, [2], TensorStore.Parameters, 0)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new TensorInfo("", [2], TensorStore.Parameters, 0)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => new TensorInfo("w", null!, TensorStore.Parameters, 0)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("w", [2], TensorStore.Parameters, -1)).ParamName);
        var negative = Assert.Throws<ArgumentException>(() => new TensorInfo("w", [2, -3], TensorStore.Parameters, 0));
        Assert.Equal("shape", negative.ParamName);
        Assert.StartsWith("Tensor 'w' has a negative dimension (-3).", negative.Message);
        // A batch counter is a scalar at offset 0: either condition alone is refused.
        foreach (var (shape, offset) in new (int[], int)[] { ([1], 0), ([], 3) })
        {
            var counter = Assert.Throws<ArgumentException>(() => new TensorInfo("bn.num_batches_tracked", shape, TensorStore.BatchCounter, offset));
            Assert.StartsWith("Tensor 'bn.num_batches_tracked' is a batch counter: it must be a scalar (shape []) at offset 0.", counter.Message);
        }
        Assert.Equal(1, new TensorInfo("bn.num_batches_tracked", [], TensorStore.BatchCounter, 0).Count);
    }

    [Fact]
    public void TensorInfo_counts_values_and_refuses_counts_beyond_int()
    {
        var empty = new TensorInfo("w", [3, 0, 4], TensorStore.Parameters, 7); // a zero dimension is legal: no values
        Assert.Equal(0, empty.Count);
        Assert.Equal(24, new TensorInfo("w", [2, 3, 4], TensorStore.State, 0).Count);
        Assert.Equal(int.MaxValue, new TensorInfo("w", [int.MaxValue], TensorStore.Parameters, 0).Count);
        // 2³² values: above int.MaxValue, and 0 if cast without a check.
        Assert.Throws<OverflowException>(() => new TensorInfo("w", [65536, 65536], TensorStore.Parameters, 0));
        // 2⁶⁴ values: wraps a long to 0 if multiplied without a check.
        Assert.Throws<OverflowException>(() => new TensorInfo("w", [65536, 65536, 65536, 65536], TensorStore.Parameters, 0));
    }

    [Fact]
    public void TensorInfo_text_names_the_tensor_its_shape_and_place()
    {
        Assert.Equal("conv1.weight [8, 1, 3, 3] (Parameters at 12)", new TensorInfo("conv1.weight", [8, 1, 3, 3], TensorStore.Parameters, 12).ToString());
        Assert.Equal("bn.running_var [4] (State at 4)", new TensorInfo("bn.running_var", [4], TensorStore.State, 4).ToString());
    }

    // ---- WeightFile with state (BatchNorm running statistics) ----

    [Fact]
    public void Weight_file_round_trips_the_state_of_a_network_with_batch_norm()
    {
        // TinyBn: dense 2→2 (4 + 2) and BatchNorm γ, β (2 + 2) = 10 parameters; running mean and variance = 4 values of state.
        var net = new TinyBn(seed: 1);
        Assert.Equal((10, 4), (TinyBn.ParameterCount, net.State.Length));
        new float[] { 0.5f, -1.25f, 2f, 3.5f }.CopyTo(net.State);
        var stream = new MemoryStream();
        WeightFile.Write(stream, net);
        Assert.Equal(24 + 4 * 14 + 4, stream.Length);

        var copy = new TinyBn(seed: 2);
        stream.Position = 0;
        WeightFile.Read(stream, copy);
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Equal(new[] { 0.5f, -1.25f, 2f, 3.5f }, copy.State.ToArray());
    }

    [Fact]
    public void Weight_file_of_another_size_names_parameters_and_state()
    {
        // TorchMlpInterop: 4·6 + 6 + 6·3 + 3 = 51 values, no state.
        var stream = new MemoryStream();
        WeightFile.Write(stream, new TorchMlpInterop(seed: 1));
        stream.Position = 0;
        var net = new TinyBn(seed: 1);
        var e = Assert.Throws<InvalidDataException>(() => WeightFile.Read(stream, net, "mlp.cmpl"));
        Assert.Equal("mlp.cmpl holds 51 values but the network has 10 parameters and 4 values of state: it was saved from a different network.", e.Message);

        // The other way: a network without state names parameters only.
        stream = new MemoryStream();
        WeightFile.Write(stream, net);
        stream.Position = 0;
        e = Assert.Throws<InvalidDataException>(() => WeightFile.Read(stream, new TorchMlpInterop(seed: 1), "bn.cmpl"));
        Assert.Equal("bn.cmpl holds 14 parameters but the network has 51: it was saved from a different network.", e.Message);
    }

    [Fact]
    public void A_failed_weight_save_says_it_was_saving_weights()
    {
        string path = Path.Combine(_dir, "no-such-directory", "net.cmpl");
        var e = Assert.Throws<IOException>(() => WeightFile.Save(path, new TinyBn(seed: 1)));
        Assert.StartsWith($"Could not save weights to '{path}': ", e.Message);
    }

    // ---- Temporary file names ----

    /// <summary>FNV-1a 64 of the UTF-8 bytes, from its definition (offset basis 0xcbf29ce484222325, prime 0x100000001b3).</summary>
    private static string Fnv1a64Hex(string text)
    {
        ulong hash = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text)) hash = (hash ^ b) * 0x100000001b3UL;
        return hash.ToString("x16");
    }

    [Theory]
    [InlineData(223, 'w', false)] // 223 + ".tmp-" + 10-digit pid + "-" + 16 hex = 255 bytes: fits
    [InlineData(224, 'w', true)]  // 256 bytes: one too many
    [InlineData(111, 'é', false)] // 222 bytes of UTF-8 (2 per 'é') in 111 characters, plus 'w': 223
    [InlineData(112, 'é', true)]  // 224 bytes in 112 characters: bytes count, not characters
    public void Temporary_names_keep_the_target_name_while_the_longest_one_fits(int letters, char letter, bool hashed)
    {
        string name = new string(letter, letters) + (letter == 'é' && !hashed ? "w" : "");
        string stem = TempFiles.Stem(name);
        Assert.Equal(hashed ? Fnv1a64Hex(name) : name, stem);
        string temp = TempFiles.NewName(name);
        Assert.True(Encoding.UTF8.GetByteCount(temp) <= TempFiles.MaxNameBytes, temp);
        Assert.True(TempFiles.TryParseOwner(temp, stem + ".tmp-", out int pid));
        Assert.Equal(Environment.ProcessId, pid);
    }

    [Theory]
    [InlineData("net.cmpl.tmp-1234-0123456789abcdef", 1234)]
    [InlineData("net.cmpl.tmp-1234-0123456789ABCDEF", 1234)] // hex digits of either case
    [InlineData("net.cmpl.tmp-77", 77)]                      // an earlier version's name: no random part
    [InlineData("other.cmpl.tmp-1234-0123456789abcdef", 0)]  // another target's
    [InlineData("net.cmpl-1234-0123456789abcdef", 0)]        // no marker
    [InlineData("net.cmpl.tmp-1234-0123456789abcde", 0)]     // random part of 15 digits
    [InlineData("net.cmpl.tmp-1234-0123456789abcdef0", 0)]   // … of 17
    [InlineData("net.cmpl.tmp-1234-0123456789abcdeg", 0)]    // not hex
    [InlineData("net.cmpl.tmp-0", 0)]                        // pid 0 is no process's
    [InlineData("net.cmpl.tmp-0-0123456789abcdef", 0)]
    [InlineData("net.cmpl.tmp--0123456789abcdef", 0)]        // no pid
    [InlineData("net.cmpl.tmp-+12-0123456789abcdef", 0)]     // a sign is not a digit
    [InlineData("net.cmpl.tmp-12x", 0)]
    [InlineData("net.cmpl.tmp-99999999999-0123456789abcdef", 0)] // beyond int
    public void Owner_pid_is_read_only_from_names_a_save_makes(string fileName, int expected)
    {
        bool parsed = TempFiles.TryParseOwner(fileName, "net.cmpl.tmp-", out int pid);
        Assert.Equal(expected != 0, parsed);
        if (parsed) Assert.Equal(expected, pid);
    }
}
