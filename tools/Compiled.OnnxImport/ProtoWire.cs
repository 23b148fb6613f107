using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Compiled.OnnxImport;

/// <summary>
/// A cursor over one protobuf message's bytes. Every length and offset is checked against what is left of the
/// message before it is used, so a damaged file is an <see cref="InvalidDataException"/>, never a read past the
/// buffer or an allocation of a size the file claims: values are slices of the buffer, copied only once checked.
/// </summary>
public ref struct ProtoWire
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _message;
    private int _at;

    /// <param name="data">The message's encoded fields.</param>
    /// <param name="message">What the message is (for error messages): "ModelProto", "NodeProto 'conv1'", …</param>
    public ProtoWire(ReadOnlySpan<byte> data, string message)
    {
        _data = data;
        _message = message;
        _at = 0;
    }

    /// <summary>Wire type of the field just read by <see cref="Next"/>: 0 varint, 1 fixed 64, 2 length-delimited, 5 fixed 32.</summary>
    public int WireType { get; private set; }

    /// <summary>Reads the next field's key; false at the end of the message.</summary>
    public bool Next(out int field)
    {
        field = 0;
        if (_at >= _data.Length) return false;
        ulong key = Varint();
        WireType = (int)(key & 7);
        if (key >> 3 is 0 or > int.MaxValue) throw Error($"has a field numbered {key >> 3}");
        field = (int)(key >> 3);
        if (WireType is 3 or 4 or 6 or 7) throw Error($"has field {field} of wire type {WireType}, which ONNX does not use");
        return true;
    }

    /// <summary>The current field as a varint (wire type 0).</summary>
    public long Int64()
    {
        Expect(0);
        return unchecked((long)Varint());
    }

    /// <summary>The current field as a 32-bit float (wire type 5).</summary>
    public float Float()
    {
        Expect(5);
        return BinaryPrimitives.ReadSingleLittleEndian(Take(4));
    }

    /// <summary>The current field's bytes (wire type 2): a slice of the message.</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        Expect(2);
        ulong length = Varint();
        if (length > (ulong)(_data.Length - _at))
            throw Error($"has a field of {length} bytes where {_data.Length - _at} remain");
        return Take((int)length);
    }

    /// <summary>The current field as UTF-8 text.</summary>
    public string String()
    {
        var bytes = Bytes();
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("has a string that is not UTF-8");
        }
    }

    /// <summary>
    /// A repeated int64 field, packed (wire type 2: varints back to back) or not (one varint): the values are
    /// added to <paramref name="values"/>.
    /// </summary>
    public void Int64s(System.Collections.Generic.List<long> values)
    {
        if (WireType == 0)
        {
            values.Add(Int64());
            return;
        }
        var packed = new ProtoWire(Bytes(), _message);
        while (packed._at < packed._data.Length) values.Add(unchecked((long)packed.Varint()));
    }

    /// <summary>A repeated float field, packed (wire type 2, a multiple of 4 bytes) or not (wire type 5).</summary>
    public void Floats(System.Collections.Generic.List<float> values)
    {
        if (WireType == 5)
        {
            values.Add(Float());
            return;
        }
        var packed = Bytes();
        if (packed.Length % 4 != 0) throw Error($"has packed floats of {packed.Length} bytes, not a multiple of 4");
        for (int i = 0; i < packed.Length; i += 4) values.Add(BinaryPrimitives.ReadSingleLittleEndian(packed[i..]));
    }

    /// <summary>Skips the current field, whatever its wire type.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0: Varint(); break;
            case 1: Take(8); break;
            case 2: Bytes(); break;
            case 5: Take(4); break;
        }
    }

    /// <summary>An error about this message.</summary>
    public readonly InvalidDataException Error(string what) => new($"{_message} {what}: the file is not a valid ONNX model.");

    private void Expect(int wireType)
    {
        if (WireType != wireType) throw Error($"has a field of wire type {WireType} where {wireType} was expected");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _at) throw Error($"ends inside a field ({count} bytes needed, {_data.Length - _at} left)");
        var slice = _data.Slice(_at, count);
        _at += count;
        return slice;
    }

    private ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_at >= _data.Length) throw Error("ends inside a varint");
            byte b = _data[_at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Error("has a varint longer than 10 bytes");
    }
}
