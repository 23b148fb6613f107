using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Compiled;

/// <summary>
/// Reads and checks a safetensors header against a network's tensor table: the header length against the
/// stream and <see cref="Safetensors.MaxHeaderBytes"/> before anything is allocated, then the JSON (parsed
/// with <see cref="JsonDocument"/>, no reflection), then every entry's name, dtype, shape and data_offsets,
/// and the offsets together (inside the data and disjoint, so they tile it).
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>
    /// Reads the header from <paramref name="stream"/>; returns each network tensor's first byte in the data
    /// (indexed like <paramref name="tensors"/>) and the data's length, which the offsets cover exactly.
    /// </summary>
    public static (long[] Offsets, long DataLength) Read(Stream stream, IReadOnlyList<TensorInfo> tensors, string source)
    {
        byte[] json = ReadHeaderBytes(stream, source);
        long dataLength = 0;
        foreach (var tensor in tensors) dataLength += SafetensorsLayout.Bytes(tensor);
        long available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;

        // JsonDocument checks UTF-8 only inside strings it is asked to decode: a bad byte in a tensor name
        // would surface later as an InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new InvalidDataException($"{source} has a header that is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} has a header that is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source} has a header that is a JSON {document.RootElement.ValueKind}, not an object of tensors.");
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int t = 0; t < tensors.Count; t++) index[tensors[t].Name] = t;
            var ranges = new (long Begin, long End)?[tensors.Count];
            bool metadataSeen = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (metadataSeen) throw new InvalidDataException($"{source} has __metadata__ twice.");
                    metadataSeen = true;
                    CheckMetadata(property.Value, source);
                    continue;
                }
                if (!index.TryGetValue(property.Name, out int t))
                    throw new InvalidDataException($"{source} has a tensor '{property.Name}' that the network does not have; expected only {Names(tensors)}.");
                if (ranges[t] is not null)
                    throw new InvalidDataException($"{source} has tensor '{property.Name}' twice.");
                ranges[t] = CheckEntry(property, tensors[t], source, Math.Min(available, dataLength), dataLength);
            }
            for (int t = 0; t < tensors.Count; t++)
                if (ranges[t] is null)
                    throw new InvalidDataException($"{source} has no tensor '{tensors[t].Name}' ({SafetensorsLayout.DType(tensors[t].Store)} {tensors[t].ShapeText}); the network needs {Names(tensors)}.");
            CheckDisjoint(tensors, ranges, source);
            return (ranges.Select(r => r!.Value.Begin).ToArray(), dataLength);
        }
    }

    /// <summary>The 8-byte length and the header it announces, refusing a length beyond the cap or the stream.</summary>
    private static byte[] ReadHeaderBytes(Stream stream, string source)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{source} is truncated: it ends inside the 8-byte header length.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > Safetensors.MaxHeaderBytes)
            throw new InvalidDataException($"{source} announces a header of {length} bytes, above the limit of {Safetensors.MaxHeaderBytes}: it is not a safetensors file or is damaged.");
        if (stream.CanSeek && (long)length > stream.Length - stream.Position)
            throw new InvalidDataException($"{source} announces a header of {length} bytes but only {stream.Length - stream.Position} bytes follow.");
        // An unseekable stream is read in chunks, so a false length costs only the bytes actually there.
        var header = new MemoryStream(stream.CanSeek ? (int)length : 0);
        // A ulong constant: with an int literal here, a mutation tool's rewrite made Math.Min ambiguous, which left
        // the whole method unmeasured (docs/mutation.md).
        const ulong ChunkBytes = 1 << 16;
        var chunk = new byte[(int)Math.Min(length, ChunkBytes)];
        for (long left = (long)length; left > 0;)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(left, chunk.Length));
            if (read == 0)
                throw new InvalidDataException($"{source} is truncated: it ends inside the header ({length} bytes announced, {header.Length} present).");
            header.Write(chunk, 0, read);
            left -= read;
        }
        return header.ToArray();
    }

    /// <summary>__metadata__: an object of strings, as the format says (its contents are not used).</summary>
    private static void CheckMetadata(JsonElement metadata, string source)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source} has a __metadata__ that is a JSON {metadata.ValueKind}; expected an object of strings.");
        foreach (var entry in metadata.EnumerateObject())
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{source} has __metadata__ entry '{entry.Name}' that is a JSON {entry.Value.ValueKind}; expected a string.");
    }

    /// <summary>One tensor's entry: exactly dtype, shape and data_offsets, each what the network's tensor needs.</summary>
    private static (long Begin, long End) CheckEntry(JsonProperty property, TensorInfo tensor, string source, long dataLength, long networkBytes)
    {
        string what = $"{source}: tensor '{tensor.Name}'";
        if (property.Value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{what} is a JSON {property.Value.ValueKind}; expected an object with dtype, shape and data_offsets.");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var field in property.Value.EnumerateObject())
        {
            if ((field.Name == "dtype" && dtype is not null) || (field.Name == "shape" && shape is not null) || (field.Name == "data_offsets" && offsets is not null))
                throw new InvalidDataException($"{what} has field '{field.Name}' twice.");
            switch (field.Name)
            {
                case "dtype": dtype = field.Value; break;
                case "shape": shape = field.Value; break;
                case "data_offsets": offsets = field.Value; break;
                default: throw new InvalidDataException($"{what} has an unknown field '{field.Name}'; expected only dtype, shape and data_offsets.");
            }
        }
        string expectedType = SafetensorsLayout.DType(tensor.Store);
        if (dtype is not { ValueKind: JsonValueKind.String } d)
            throw new InvalidDataException($"{what} has no dtype string; expected \"{expectedType}\".");
        if (d.GetString() != expectedType)
            throw new InvalidDataException($"{what} has dtype {d.GetString()}; expected {expectedType}" +
                (expectedType == "F32" ? " (convert it with .float() before saving)." : "."));

        long[] dimensions = Integers(shape, what, "shape", -1);
        if (!dimensions.SequenceEqual(tensor.Shape.Select(x => (long)x)))
            throw new InvalidDataException($"{what} has shape [{string.Join(", ", dimensions)}]; expected {tensor.ShapeText}.");

        long[] range = Integers(offsets, what, "data_offsets", 2);
        long begin = range[0], end = range[1];
        if (begin > end)
            throw new InvalidDataException($"{what} has data_offsets [{begin}, {end}] that end before they begin.");
        if (end > dataLength)
            throw new InvalidDataException($"{what} has data_offsets [{begin}, {end}] outside the data ({dataLength} bytes{(dataLength == networkBytes ? ": the size of the network's tensors" : " in the file")}).");
        if (end - begin != SafetensorsLayout.Bytes(tensor))
            throw new InvalidDataException($"{what} has data_offsets [{begin}, {end}] spanning {end - begin} bytes; a {expectedType} {tensor.ShapeText} tensor takes {SafetensorsLayout.Bytes(tensor)}.");
        return (begin, end);
    }

    /// <summary>A JSON array of non-negative integers (of <paramref name="count"/> elements unless −1).</summary>
    private static long[] Integers(JsonElement? element, string what, string field, int count)
    {
        if (element is not { ValueKind: JsonValueKind.Array } array || (count >= 0 && array.GetArrayLength() != count))
            throw new InvalidDataException($"{what} has no {field} array{(count >= 0 ? $" of {count} integers" : "")}.");
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
                throw new InvalidDataException($"{what} has {field} element {item.GetRawText()}; expected a non-negative integer.");
            values[i++] = value;
        }
        return values;
    }

    /// <summary>
    /// No two ranges may overlap. Each range lies inside the data and the sizes add up to its length, so
    /// without overlaps the ranges tile it: a gap would have pushed some range outside.
    /// </summary>
    private static void CheckDisjoint(IReadOnlyList<TensorInfo> tensors, (long Begin, long End)?[] ranges, string source)
    {
        var order = Enumerable.Range(0, tensors.Count).OrderBy(t => ranges[t]!.Value.Begin).ThenBy(t => ranges[t]!.Value.End).ToArray();
        for (int i = 1; i < order.Length; i++)
        {
            var (b, e) = ranges[order[i]]!.Value;
            long end = ranges[order[i - 1]]!.Value.End;
            if (b < end)
                throw new InvalidDataException($"{source}: tensor '{tensors[order[i]].Name}' at [{b}, {e}] overlaps tensor '{tensors[order[i - 1]].Name}', which ends at {end}.");
        }
    }

    private static string Names(IReadOnlyList<TensorInfo> tensors) =>
        tensors.Count == 0 ? "none" : string.Join(", ", tensors.Select(t => t.Name));
}
