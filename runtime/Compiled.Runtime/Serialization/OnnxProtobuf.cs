using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Compiled;

/// <summary>
/// A protobuf message being written: fields appended in order. Only what ONNX's messages need: varints
/// (wire type 0), 32-bit floats (wire type 5) and length-delimited bytes, strings and messages (wire type 2).
/// Repeated fields are written one tag per value (the unpacked encoding of proto2, which every parser reads).
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _bytes = new();

    /// <summary>The encoded fields so far.</summary>
    public ReadOnlySpan<byte> Encoded => new(_bytes.GetBuffer(), 0, checked((int)_bytes.Length));

    public ProtoMessage Int64(int field, long value)
    {
        Tag(field, 0);
        Varint(unchecked((ulong)value)); // negative values take ten bytes, as protobuf's int64 does
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _bytes.Write(bytes);
        return this;
    }

    public ProtoMessage String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage value) => Bytes(field, value.Encoded);

    public ProtoMessage Messages(int field, IEnumerable<ProtoMessage> values)
    {
        foreach (var value in values) Message(field, value);
        return this;
    }

    public void WriteTo(Stream stream) => stream.Write(Encoded);

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}

/// <summary>
/// The messages of onnx.proto that an exported model uses, with their field numbers: ModelProto, GraphProto,
/// NodeProto, AttributeProto, TensorProto and ValueInfoProto (with TypeProto and TensorShapeProto).
/// </summary>
internal static class OnnxProto
{
    /// <summary>TensorProto.DataType.FLOAT.</summary>
    public const int Float = 1;

    /// <summary>TensorProto.DataType.INT64.</summary>
    public const int Int64 = 7;

    /// <summary>
    /// ModelProto: ir_version (1), producer_name (2), producer_version (3), doc_string (6), graph (7),
    /// opset_import (8: OperatorSetIdProto, version 2, the default domain).
    /// </summary>
    public static ProtoMessage Model(int irVersion, int opset, string producer, string version, string doc, ProtoMessage graph) =>
        new ProtoMessage()
            .Int64(1, irVersion)
            .String(2, producer)
            .String(3, version)
            .String(6, doc)
            .Message(7, graph)
            .Message(8, new ProtoMessage().Int64(2, opset));

    /// <summary>GraphProto: node (1), name (2), initializer (5), input (11), output (12).</summary>
    public static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers, ProtoMessage input, ProtoMessage output) =>
        new ProtoMessage()
            .Messages(1, nodes)
            .String(2, name)
            .Messages(5, initializers)
            .Message(11, input)
            .Message(12, output);

    /// <summary>NodeProto: input (1), output (2), name (3), op_type (4), attribute (5).</summary>
    public static ProtoMessage Node(string op, string name, IReadOnlyList<string> inputs, string output, IEnumerable<ProtoMessage> attributes)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs) node.String(1, input);
        return node.String(2, output).String(3, name).String(4, op).Messages(5, attributes);
    }

    /// <summary>AttributeProto of type INT (2): name (1), i (3), type (20).</summary>
    public static ProtoMessage Attribute(string name, long value) =>
        new ProtoMessage().String(1, name).Int64(3, value).Int64(20, 2);

    /// <summary>AttributeProto of type FLOAT (1): name (1), f (2), type (20).</summary>
    public static ProtoMessage Attribute(string name, float value) =>
        new ProtoMessage().String(1, name).Float(2, value).Int64(20, 1);

    /// <summary>AttributeProto of type INTS (7): name (1), ints (8), type (20).</summary>
    public static ProtoMessage Attribute(string name, params long[] values)
    {
        var attribute = new ProtoMessage().String(1, name);
        foreach (long value in values) attribute.Int64(8, value);
        return attribute.Int64(20, 7);
    }

    /// <summary>TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian).</summary>
    public static ProtoMessage Tensor(string name, IReadOnlyList<int> dims, int dataType, ReadOnlySpan<byte> raw)
    {
        var tensor = new ProtoMessage();
        foreach (int dim in dims) tensor.Int64(1, dim);
        return tensor.Int64(2, dataType).String(8, name).Bytes(9, raw);
    }

    /// <summary>A float32 tensor, its values written little-endian as raw_data.</summary>
    public static ProtoMessage FloatTensor(string name, IReadOnlyList<int> dims, ReadOnlySpan<float> values)
    {
        byte[] raw = new byte[checked(values.Length * 4)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
        return Tensor(name, dims, Float, raw);
    }

    /// <summary>A one-dimensional int64 tensor (a shape for Reshape).</summary>
    public static ProtoMessage Int64Tensor(string name, params long[] values)
    {
        byte[] raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        return Tensor(name, new[] { values.Length }, Int64, raw);
    }

    /// <summary>
    /// ValueInfoProto of a float tensor: name (1), type (2: TypeProto, tensor_type 1: elem_type 1, shape 2:
    /// TensorShapeProto, dim 1: dim_value 1 or dim_param 2). The first dimension is the symbolic <paramref name="batch"/>.
    /// </summary>
    public static ProtoMessage FloatValue(string name, string batch, IReadOnlyList<int> sample)
    {
        var shape = new ProtoMessage().Message(1, new ProtoMessage().String(2, batch));
        foreach (int dim in sample) shape.Message(1, new ProtoMessage().Int64(1, dim));
        var tensorType = new ProtoMessage().Int64(1, Float).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }
}
