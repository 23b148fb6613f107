using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace Compiled.Tests.Interop;

/// <summary>What the ONNX tests share: weights worth comparing, running a model in ONNX Runtime, and reading protobuf.</summary>
internal static class OnnxFiles
{
    /// <summary>
    /// Gives every bias a random value (they start at 0) and every BatchNorm layer random γ, β and running
    /// statistics (they start at 1, 0, 0 and 1), so that a wrong bias or statistic cannot go unnoticed.
    /// </summary>
    public static void Randomize(INetwork net, int seed)
    {
        var random = new Random(seed);
        var batchNorms = net.Layers.Where(l => l.Kind == LayerKind.BatchNorm).Select(l => l.Name + ".").ToArray();
        var layerNorms = net.Layers.Where(l => l.Kind == LayerKind.LayerNorm).Select(l => l.Name + ".weight").ToHashSet(StringComparer.Ordinal);
        var prelus = net.Layers.Where(l => l.Kind == LayerKind.PReLU).Select(l => l.Name + ".weight").ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in net.Tensors)
        {
            if (tensor.Store == TensorStore.BatchCounter) continue;
            bool batchNorm = batchNorms.Any(prefix => tensor.Name.StartsWith(prefix, StringComparison.Ordinal));
            (double low, double high) = tensor.Name switch
            {
                _ when tensor.Name.EndsWith(".running_var", StringComparison.Ordinal) => (0.3, 2.5),
                _ when layerNorms.Contains(tensor.Name) => (0.5, 1.5), // γ differs per value: the broadcast must line up
                _ when prelus.Contains(tensor.Name) => (-0.5, 1.0), // a different slope per channel: the broadcast must line up
                _ when batchNorm && tensor.Name.EndsWith(".weight", StringComparison.Ordinal) => (0.5, 1.5),
                _ when batchNorm || tensor.Name.EndsWith("bias", StringComparison.Ordinal) => (-0.5, 0.5),
                _ => (double.NaN, double.NaN), // convolution and dense weights keep their initialization
            };
            if (double.IsNaN(low)) continue;
            var values = (tensor.Store == TensorStore.Parameters ? net.Parameters : net.State).Slice(tensor.Offset, tensor.Count);
            for (int i = 0; i < values.Length; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        }
    }

    /// <summary>Uniform values in [−1, 1) for <paramref name="count"/> samples.</summary>
    public static float[] Inputs(INetwork net, int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * net.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * random.NextDouble() - 1);
        return x;
    }

    /// <summary>The input's shape for ONNX Runtime: [batch, C, H, W] or [batch, F].</summary>
    public static long[] InputShape(INetwork net, int batch) =>
        new long[] { batch }.Concat(net.Layers[0].InputShape.Select(d => (long)d)).ToArray();

    /// <summary>Runs "input" through <paramref name="session"/>; returns "output"'s values and shape.</summary>
    public static (float[] Values, long[] Shape) Run(InferenceSession session, float[] inputs, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, shape);
        using var options = new RunOptions();
        using var outputs = session.Run(options, new[] { "input" }, new[] { input }, new[] { "output" });
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>A session on one thread (the machine is shared; one thread also keeps the sums in a fixed order).</summary>
    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>The largest |a − b| / max(1, |b|): absolute for values up to 1, relative above.</summary>
    public static double MaxDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"{actual.Length} values against {expected.Length}.");
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
            if (!(difference <= worst)) worst = difference; // NaN wins
        }
        return worst;
    }
}

/// <summary>
/// A protobuf reader written from the wire format alone, independent of the writer: a message is a list of
/// fields, each a varint, a 32-bit value or a length-delimited byte string (nested messages parse on demand).
/// </summary>
internal sealed class ProtoReader
{
    private readonly List<(int Field, ulong Number, byte[] Bytes)> _fields = new();

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        int at = 0;
        while (at < data.Length)
        {
            ulong key = Varint(data, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    _fields.Add((field, Varint(data, ref at), Array.Empty<byte>()));
                    break;
                case 5:
                    _fields.Add((field, 0, data.Slice(at, 4).ToArray()));
                    at += 4;
                    break;
                case 2:
                    int length = checked((int)Varint(data, ref at));
                    _fields.Add((field, 0, data.Slice(at, length).ToArray()));
                    at += length;
                    break;
                default:
                    throw new FormatException($"wire type {wire} of field {field}");
            }
        }
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    /// <summary>The field numbers in order of appearance.</summary>
    public IEnumerable<int> Fields => _fields.Select(f => f.Field);

    public long Int(int field) => (long)_fields.Single(f => f.Field == field).Number;

    public IEnumerable<long> Ints(int field) => _fields.Where(f => f.Field == field).Select(f => (long)f.Number);

    public float Float(int field) => BitConverter.ToSingle(_fields.Single(f => f.Field == field).Bytes);

    public byte[] Bytes(int field) => _fields.Single(f => f.Field == field).Bytes;

    public string String(int field) => Encoding.UTF8.GetString(Bytes(field));

    public IEnumerable<string> Strings(int field) => _fields.Where(f => f.Field == field).Select(f => Encoding.UTF8.GetString(f.Bytes));

    public ProtoReader Message(int field) => new(Bytes(field));

    public IEnumerable<ProtoReader> Messages(int field) => _fields.Where(f => f.Field == field).Select(f => new ProtoReader(f.Bytes));
}
