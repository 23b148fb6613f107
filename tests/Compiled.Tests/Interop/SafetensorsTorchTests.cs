using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Interop;

/// <summary>
/// Against PyTorch itself (tests/fixtures/make_safetensors_fixtures.py): state_dicts PyTorch trained and wrote
/// import into the declared networks and predict PyTorch's outputs; the export of the imported network holds
/// PyTorch's tensors; and Compiled's own export (cnn_bn.compiled.*, checked by the script in PyTorch) is current.
/// </summary>
public sealed class SafetensorsTorchTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Safetensors", file);

    public static TheoryData<string> Models => new() { "mlp", "cnn_bn", "deconv_sep", "prelu_layernorm" };

    private static INetwork Declared(string model) => model switch
    {
        "mlp" => new TorchMlpInterop(),
        "cnn_bn" => new TorchBnCnn(),
        "prelu_layernorm" => new TorchPReLULayerNorm(),
        _ => new TorchDeconvSep(),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void PyTorch_state_dict_imports_and_predicts_PyTorch_outputs(string model)
    {
        var net = Declared(model);
        Safetensors.Load(Fixture(model + ".safetensors"), net);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixture(model + ".json")));
        float[] inputs = json.RootElement.GetProperty("inputs").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        double[] expected = json.RootElement.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(json.RootElement.GetProperty("batch").GetInt32() * net.InputSize, inputs.Length);

        float[] actual = new float[expected.Length];
        net.Predict(inputs, actual);
        double largest = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{model}: largest |Compiled − PyTorch| = {largest:G3} over {expected.Length} outputs");
        Assert.InRange(largest, 0, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Export_of_the_imported_network_holds_PyTorch_tensors(string model)
    {
        var net = Declared(model);
        byte[] torch = File.ReadAllBytes(Fixture(model + ".safetensors"));
        Safetensors.Read(new MemoryStream(torch), net);
        var theirs = SafetensorsFiles.Tensors(torch);
        var ours = SafetensorsFiles.Tensors(SafetensorsFiles.Export(net));
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var (name, (dtype, shape, bytes)) in theirs)
        {
            Assert.Equal((dtype, shape), (ours[name].DType, ours[name].Shape));
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && model != "deconv_sep")
            {
                Assert.NotEqual(new byte[8], bytes); // PyTorch counted its 5 training batches; Compiled writes 0
                Assert.Equal(new byte[8], ours[name].Bytes);
            }
            else
            {
                Assert.Equal(bytes, ours[name].Bytes);
            }
        }
    }

    /// <summary>
    /// cnn_bn.compiled.safetensors and .json: Compiled's export of TorchBnCnn with fixed weights and statistics,
    /// and its Predict on fixed inputs, which make_safetensors_fixtures.py loads into PyTorch and compares.
    /// COMPILED_UPDATE_FIXTURES=1 rewrites them in the source tree.
    /// </summary>
    [Fact]
    public void Compiled_export_checked_by_PyTorch_is_current()
    {
        var net = new TorchBnCnn();
        // Exact floats from integers: the same on every machine.
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = ((i * 37 % 101) - 50) / 128f;
        for (int j = 0; j < 4; j++) (net.Batchnorm1RunningMean[j], net.Batchnorm1RunningVariance[j]) = ((j % 3 - 1) / 16f, 0.5f + j / 8f);
        for (int j = 0; j < 5; j++) (net.Batchnorm2RunningMean[j], net.Batchnorm2RunningVariance[j]) = ((j % 4 - 2) / 8f, 0.75f + j / 4f);
        var inputs = new float[5 * TorchBnCnn.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = ((i * 53 % 97) - 48) / 64f;
        float[] outputs = new float[5 * TorchBnCnn.OutputSize];
        net.Predict(inputs, outputs);
        byte[] export = SafetensorsFiles.Export(net);

        if (Environment.GetEnvironmentVariable("COMPILED_UPDATE_FIXTURES") == "1")
        {
            string source = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Fixtures", "Safetensors"));
            File.WriteAllBytes(Path.Combine(source, "cnn_bn.compiled.safetensors"), export);
            using var file = File.Create(Path.Combine(source, "cnn_bn.compiled.json"));
            using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("batch", 5);
            json.WriteStartArray("inputs");
            foreach (float v in inputs) json.WriteNumberValue((double)v);
            json.WriteEndArray();
            json.WriteStartArray("outputs");
            foreach (float v in outputs) json.WriteNumberValue((double)v);
            json.WriteEndArray();
            json.WriteEndObject();
            return;
        }
        Assert.Equal(File.ReadAllBytes(Fixture("cnn_bn.compiled.safetensors")), export);
        using var committed = JsonDocument.Parse(File.ReadAllBytes(Fixture("cnn_bn.compiled.json")));
        Assert.Equal(inputs, committed.RootElement.GetProperty("inputs").EnumerateArray().Select(v => (float)v.GetDouble()));
        double[] expected = committed.RootElement.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(expected.Zip(outputs, (e, a) => Math.Abs(e - a)).Max(), 0, Tolerance);
    }
}
