using System;
using System.IO;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>
/// The export of <see cref="TinyBn"/> with fixed values against a file written here by hand from the format's
/// definition (8-byte length, space-padded JSON header, little-endian data, int64 tensors first), and the
/// hand-written file imported back.
/// </summary>
public sealed class SafetensorsKnownBytesTests
{
    private const string Header =
        "{\"__metadata__\":{\"format\":\"pt\"}," +
        "\"batchnorm1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
        "\"dense1.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}," +
        "\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}," +
        "\"batchnorm1.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}," +
        "\"batchnorm1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]}," +
        "\"batchnorm1.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]}," +
        "\"batchnorm1.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]}}";

    // W = [[1, 2], [3, 4]] (row j: the weights into unit j), b = [0.5, -0.5], γ = [1.5, 2], β = [0.25, -1],
    // running mean [0.125, -2], running variance [3, 0.75].
    private static readonly float[] Values = { 1, 2, 3, 4, 0.5f, -0.5f, 1.5f, 2, 0.25f, -1, 0.125f, -2, 3, 0.75f };

    private static byte[] HandWritten() => SafetensorsFiles.Build(Header, [.. new byte[8], .. SafetensorsFiles.Floats(Values)]);

    [Fact]
    public void Export_of_fixed_weights_is_the_hand_written_file_byte_for_byte()
    {
        var net = new TinyBn();
        float[] weights = [1, 2, 3, 4], bias = [0.5f, -0.5f];
        weights.CopyTo(net.Dense1Weights);
        bias.CopyTo(net.Dense1Bias);
        float[] gamma = [1.5f, 2], beta = [0.25f, -1], mean = [0.125f, -2], variance = [3, 0.75f];
        gamma.CopyTo(net.Batchnorm1Weights);
        beta.CopyTo(net.Batchnorm1Bias);
        mean.CopyTo(net.Batchnorm1RunningMean);
        variance.CopyTo(net.Batchnorm1RunningVariance);

        byte[] expected = HandWritten();
        Assert.Equal(0, (expected.Length - 8 - 64) % 8); // the header is padded to a multiple of 8
        Assert.Equal(expected, SafetensorsFiles.Export(net));
    }

    [Fact]
    public void Hand_written_file_imports_into_the_views_by_name()
    {
        var net = new TinyBn(seed: 5);
        Safetensors.Read(new MemoryStream(HandWritten()), net);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, net.Dense1Weights.ToArray());
        Assert.Equal(new float[] { 0.5f, -0.5f }, net.Dense1Bias.ToArray());
        Assert.Equal(new float[] { 1.5f, 2 }, net.Batchnorm1Weights.ToArray());
        Assert.Equal(new float[] { 0.25f, -1 }, net.Batchnorm1Bias.ToArray());
        Assert.Equal(new float[] { 0.125f, -2 }, net.Batchnorm1RunningMean.ToArray());
        Assert.Equal(new float[] { 3, 0.75f }, net.Batchnorm1RunningVariance.ToArray());
    }

    [Fact]
    public void Import_takes_tensors_in_any_key_and_data_order_and_a_nonzero_batch_count()
    {
        // The running variance first in the data and last in the JSON, weight last in the data; count 7 ignored.
        string header =
            "{\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"dense1.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[48,64]}," +
            "\"batchnorm1.weight\":{\"data_offsets\":[16,24],\"shape\":[2],\"dtype\":\"F32\"}," +
            "\"batchnorm1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}," +
            "\"batchnorm1.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}," +
            "\"batchnorm1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[40,48]}," +
            "\"batchnorm1.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] counter = new byte[8];
        counter[0] = 7;
        byte[] data = [.. SafetensorsFiles.Floats(3, 0.75f, 0.5f, -0.5f, 1.5f, 2, 0.25f, -1, 0.125f, -2), .. counter, .. SafetensorsFiles.Floats(1, 2, 3, 4)];
        var net = new TinyBn(seed: 6);
        Safetensors.Read(new MemoryStream(SafetensorsFiles.Build(header, data, pad: false)), net);
        Assert.Equal(Values[..10], net.Parameters.ToArray());
        Assert.Equal(Values[10..], net.State.ToArray());
    }
}
