using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Compiled.OnnxImport;

/// <summary>
/// The parts of an ONNX ModelProto the importer reads (field numbers of onnx.proto): the producer, the opset of
/// the default domain, and the graph's nodes, initializers, inputs and outputs. Parsed with <see cref="ProtoWire"/>;
/// fields the importer does not need are skipped.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>The largest file read: protobuf's own limit for one message.</summary>
    public const long MaxBytes = int.MaxValue;

    public long IrVersion { get; private set; }

    public string Producer { get; private set; } = "";

    public string ProducerVersion { get; private set; } = "";

    /// <summary>The default domain's ("" or "ai.onnx") operator set version; 0 when the model imports none.</summary>
    public long Opset { get; private set; }

    /// <summary>The other domains the model imports, with their versions.</summary>
    public List<(string Domain, long Version)> OtherOpsets { get; } = new();

    public string GraphName { get; private set; } = "";

    public List<OnnxNode> Nodes { get; } = new();

    public List<OnnxTensor> Initializers { get; } = new();

    public List<OnnxValue> Inputs { get; } = new();

    public List<OnnxValue> Outputs { get; } = new();

    /// <summary>Reads a model file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model, or larger than 2 GB.</exception>
    public static OnnxModel Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"ONNX model '{path}' does not exist.", path);
        if (info.Length > MaxBytes) throw new InvalidDataException($"ONNX model '{path}' has {info.Length} bytes, more than protobuf's 2 GB (external data is not supported).");
        return Parse(File.ReadAllBytes(path));
    }

    /// <summary>Parses a ModelProto.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid ONNX model.</exception>
    public static OnnxModel Parse(ReadOnlySpan<byte> bytes)
    {
        var model = new OnnxModel();
        bool hasGraph = false;
        var wire = new ProtoWire(bytes, "ModelProto");
        while (wire.Next(out int field))
        {
            switch (field)
            {
                case 1: model.IrVersion = wire.Int64(); break;
                case 2: model.Producer = wire.String(); break;
                case 3: model.ProducerVersion = wire.String(); break;
                case 7:
                    if (hasGraph) throw wire.Error("has two graphs");
                    model.ReadGraph(wire.Bytes());
                    hasGraph = true;
                    break;
                case 8: model.ReadOpset(wire.Bytes()); break;
                default: wire.Skip(); break;
            }
        }
        if (!hasGraph) throw wire.Error("has no graph");
        return model;
    }

    private void ReadOpset(ReadOnlySpan<byte> bytes)
    {
        var wire = new ProtoWire(bytes, "OperatorSetIdProto");
        string domain = "";
        long version = 0;
        while (wire.Next(out int field))
        {
            if (field == 1) domain = wire.String();
            else if (field == 2) version = wire.Int64();
            else wire.Skip();
        }
        if (domain is "" or "ai.onnx") Opset = version;
        else OtherOpsets.Add((domain, version));
    }

    private void ReadGraph(ReadOnlySpan<byte> bytes)
    {
        var wire = new ProtoWire(bytes, "GraphProto");
        while (wire.Next(out int field))
        {
            switch (field)
            {
                case 1: Nodes.Add(OnnxNode.Parse(wire.Bytes(), Nodes.Count)); break;
                case 2: GraphName = wire.String(); break;
                case 5: Initializers.Add(OnnxTensor.Parse(wire.Bytes(), "initializer")); break;
                case 11: Inputs.Add(OnnxValue.Parse(wire.Bytes())); break;
                case 12: Outputs.Add(OnnxValue.Parse(wire.Bytes())); break;
                case 15: throw new NotSupportedException("The graph has sparse initializers, which Compiled does not read.");
                default: wire.Skip(); break;
            }
        }
    }
}

/// <summary>A NodeProto: op_type, name, inputs, outputs, domain and attributes.</summary>
public sealed class OnnxNode
{
    public string OpType { get; private set; } = "";

    /// <summary>The node's name; nodes without one are named "#index" (their position in the graph).</summary>
    public string Name { get; private set; } = "";

    public string Domain { get; private set; } = "";

    /// <summary>Input value names; an empty name is an omitted optional input.</summary>
    public List<string> Inputs { get; } = new();

    public List<string> Outputs { get; } = new();

    public Dictionary<string, OnnxAttribute> Attributes { get; } = new(StringComparer.Ordinal);

    /// <summary>"Conv node '/conv1/Conv'", for messages.</summary>
    public override string ToString() => $"{OpType} node '{Name}'";

    internal static OnnxNode Parse(ReadOnlySpan<byte> bytes, int index)
    {
        var node = new OnnxNode();
        var wire = new ProtoWire(bytes, $"NodeProto #{index}");
        var attributes = new List<OnnxAttribute>();
        while (wire.Next(out int field))
        {
            switch (field)
            {
                case 1: node.Inputs.Add(wire.String()); break;
                case 2: node.Outputs.Add(wire.String()); break;
                case 3: node.Name = wire.String(); break;
                case 4: node.OpType = wire.String(); break;
                case 5: attributes.Add(OnnxAttribute.Parse(wire.Bytes())); break;
                case 7: node.Domain = wire.String(); break;
                default: wire.Skip(); break;
            }
        }
        if (node.Name.Length == 0) node.Name = "#" + index;
        foreach (var attribute in attributes)
            if (!node.Attributes.TryAdd(attribute.Name, attribute))
                throw new InvalidDataException($"{node} has the attribute '{attribute.Name}' twice.");
        return node;
    }

    /// <summary>An INT attribute, or <paramref name="fallback"/> when the node does not have it.</summary>
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.Int(this) : fallback;

    /// <summary>A FLOAT attribute, or <paramref name="fallback"/>.</summary>
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.Float(this) : fallback;

    /// <summary>An INTS attribute, or null.</summary>
    public IReadOnlyList<long>? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.IntList(this) : null;

    /// <summary>A STRING attribute, or <paramref name="fallback"/>.</summary>
    public string String(string name, string fallback) => Attributes.TryGetValue(name, out var a) ? a.Text(this) : fallback;
}

/// <summary>An AttributeProto of the kinds the supported operators take: INT, FLOAT, INTS, FLOATS, STRING, TENSOR.</summary>
public sealed class OnnxAttribute
{
    // AttributeProto.AttributeType
    private const int FloatType = 1, IntType = 2, StringType = 3, TensorType = 4, FloatsType = 6, IntsType = 7;

    public string Name { get; private set; } = "";

    /// <summary>AttributeProto.type (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, …); 0 when not given.</summary>
    public int Type { get; private set; }

    private float _f;
    private long _i;
    private string _s = "";
    private OnnxTensor? _t;
    private readonly List<long> _ints = new();
    private readonly List<float> _floats = new();
    private readonly HashSet<int> _present = new();

    internal static OnnxAttribute Parse(ReadOnlySpan<byte> bytes)
    {
        var attribute = new OnnxAttribute();
        var wire = new ProtoWire(bytes, "AttributeProto");
        while (wire.Next(out int field))
        {
            attribute._present.Add(field);
            switch (field)
            {
                case 1: attribute.Name = wire.String(); break;
                case 2: attribute._f = wire.Float(); break;
                case 3: attribute._i = wire.Int64(); break;
                case 4: attribute._s = wire.String(); break;
                case 5: attribute._t = OnnxTensor.Parse(wire.Bytes(), "attribute tensor"); break;
                case 7: wire.Floats(attribute._floats); break;
                case 8: wire.Int64s(attribute._ints); break;
                case 20: attribute.Type = (int)wire.Int64(); break;
                default: wire.Skip(); break;
            }
        }
        if (attribute.Name.Length == 0) throw wire.Error("has no name");
        // Old writers leave out type; infer it from the field present.
        if (attribute.Type == 0)
            attribute.Type = attribute._present.Contains(2) ? FloatType : attribute._present.Contains(3) ? IntType
                : attribute._present.Contains(4) ? StringType : attribute._present.Contains(5) ? TensorType
                : attribute._present.Contains(7) ? FloatsType : IntsType;
        return attribute;
    }

    public long Int(OnnxNode node) => Check(node, IntType, "an int") ? _i : 0;

    public float Float(OnnxNode node) => Check(node, FloatType, "a float") ? _f : 0;

    public IReadOnlyList<long> IntList(OnnxNode node) => Check(node, IntsType, "a list of ints") ? _ints : Array.Empty<long>();

    public string Text(OnnxNode node) => Check(node, StringType, "a string") ? _s : "";

    public OnnxTensor Tensor(OnnxNode node) => Check(node, TensorType, "a tensor") ? _t! : throw new InvalidOperationException();

    private bool Check(OnnxNode node, int type, string what) =>
        Type == type && (type != TensorType || _t is not null)
            ? true
            : throw new ImportException(node, $"its attribute '{Name}' is of type {Type}, not {what}");
}

/// <summary>A TensorProto: name, dims, data type and the values (raw_data, float_data or int64_data).</summary>
public sealed class OnnxTensor
{
    /// <summary>TensorProto.DataType.FLOAT, INT64 and BOOL.</summary>
    public const int FloatType = 1, Int64Type = 7, BoolType = 9;

    public string Name { get; private set; } = "";

    public long[] Dims { get; private set; } = Array.Empty<long>();

    public int DataType { get; private set; }

    /// <summary>The values of a FLOAT tensor (null for other types).</summary>
    public float[]? Floats { get; private set; }

    /// <summary>The values of an INT64 or BOOL tensor (null for other types).</summary>
    public long[]? Int64s { get; private set; }

    /// <summary>The number of values the dims give.</summary>
    public long Count { get; private set; }

    /// <summary>The dims as ints ([10, 64] for a Gemm weight).</summary>
    public int[] Shape => Dims.Select(d => (int)d).ToArray();

    public static string DataTypeName(int type) => type switch
    {
        1 => "float32", 2 => "uint8", 3 => "int8", 4 => "uint16", 5 => "int16", 6 => "int32", 7 => "int64",
        8 => "string", 9 => "bool", 10 => "float16", 11 => "float64", 12 => "uint32", 13 => "uint64", 16 => "bfloat16",
        _ => $"data type {type}",
    };

    private delegate T ReadValue<T>(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// The <paramref name="count"/> values of a tensor: from raw_data (exactly <paramref name="size"/> bytes each,
    /// little-endian) when present, else from the typed field, which must hold exactly that many.
    /// </summary>
    private static T[] Values<T>(string label, string type, string field, bool hasRaw, ReadOnlySpan<byte> raw, List<T> typed, long count, int size, ReadValue<T> read)
    {
        if (!hasRaw)
            return typed.Count == count ? typed.ToArray() : throw new InvalidDataException($"{label} has {typed.Count} {field} values for {count} {type} values.");
        if (raw.Length != size * count) throw new InvalidDataException($"{label} has {raw.Length} bytes of raw_data for {count} {type} values.");
        var values = new T[count];
        for (int i = 0; i < values.Length; i++) values[i] = read(raw[(size * i)..]);
        return values;
    }

    internal static OnnxTensor Parse(ReadOnlySpan<byte> bytes, string what)
    {
        var tensor = new OnnxTensor();
        var wire = new ProtoWire(bytes, $"TensorProto ({what})");
        var dims = new List<long>();
        var floats = new List<float>();
        var int64s = new List<long>();
        var bools = new List<long>();
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false, external = false;
        while (wire.Next(out int field))
        {
            switch (field)
            {
                case 1: wire.Int64s(dims); break;
                case 2: tensor.DataType = (int)wire.Int64(); break;
                case 4: wire.Floats(floats); break;
                case 5: wire.Int64s(bools); break; // int32_data: bool values when not raw
                case 7: wire.Int64s(int64s); break;
                case 8: tensor.Name = wire.String(); break;
                case 9: raw = wire.Bytes(); hasRaw = true; break;
                case 13: external = true; wire.Skip(); break;
                case 14: external |= wire.Int64() == 1; break;
                default: wire.Skip(); break;
            }
        }
        string label = tensor.Name.Length > 0 ? $"Tensor '{tensor.Name}'" : $"A {what}";
        if (external) throw new NotSupportedException($"{label} keeps its data in an external file, which Compiled does not read.");
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"{label} has the dimension {d}.");
            count = d == 0 ? 0 : count > int.MaxValue / d ? long.MaxValue : count * d;
        }
        if (count > int.MaxValue) throw new InvalidDataException($"{label} has dims [{string.Join(", ", dims)}]: more values than a file can hold.");
        tensor.Dims = dims.ToArray();
        tensor.Count = count;
        if (tensor.DataType == FloatType)
            tensor.Floats = Values(label, "float32", "float_data", hasRaw, raw, floats, count, 4, BinaryPrimitives.ReadSingleLittleEndian);
        else if (tensor.DataType == Int64Type)
            tensor.Int64s = Values(label, "int64", "int64_data", hasRaw, raw, int64s, count, 8, BinaryPrimitives.ReadInt64LittleEndian);
        else if (tensor.DataType == BoolType)
            tensor.Int64s = Values(label, "bool", "int32_data", hasRaw, raw, bools, count, 1, b => (long)b[0]);
        return tensor;
    }
}

/// <summary>A ValueInfoProto of a tensor: name, element type and dims (a number, or null when symbolic or unknown).</summary>
public sealed class OnnxValue
{
    public string Name { get; private set; } = "";

    /// <summary>The element type (1 float32); 0 when the value has no tensor type.</summary>
    public int ElementType { get; private set; }

    /// <summary>The dims, or null when the shape is not given.</summary>
    public long?[]? Dims { get; private set; }

    internal static OnnxValue Parse(ReadOnlySpan<byte> bytes)
    {
        var value = new OnnxValue();
        var wire = new ProtoWire(bytes, "ValueInfoProto");
        while (wire.Next(out int field))
        {
            if (field == 1) value.Name = wire.String();
            else if (field == 2) value.ReadType(wire.Bytes());
            else wire.Skip();
        }
        return value;
    }

    private void ReadType(ReadOnlySpan<byte> bytes)
    {
        var wire = new ProtoWire(bytes, "TypeProto");
        while (wire.Next(out int field))
        {
            if (field != 1)
            {
                wire.Skip();
                continue;
            }
            var tensor = new ProtoWire(wire.Bytes(), "TypeProto.Tensor");
            while (tensor.Next(out int f))
            {
                if (f == 1) ElementType = (int)tensor.Int64();
                else if (f == 2) Dims = ReadShape(tensor.Bytes());
                else tensor.Skip();
            }
        }
    }

    private static long?[] ReadShape(ReadOnlySpan<byte> bytes)
    {
        var dims = new List<long?>();
        var wire = new ProtoWire(bytes, "TensorShapeProto");
        while (wire.Next(out int field))
        {
            if (field != 1)
            {
                wire.Skip();
                continue;
            }
            long? dim = null;
            var dimension = new ProtoWire(wire.Bytes(), "TensorShapeProto.Dimension");
            while (dimension.Next(out int f))
            {
                if (f == 1) dim = dimension.Int64();
                else dimension.Skip();
            }
            dims.Add(dim);
        }
        return dims.ToArray();
    }

    /// <summary>"[N, 1, 8, 8]".</summary>
    public string ShapeText => Dims is null ? "[?]" : "[" + string.Join(", ", Dims.Select(d => d?.ToString() ?? "N")) + "]";
}
