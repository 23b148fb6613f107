using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text.Json;

namespace Compiled;

/// <summary>
/// Where each tensor goes in a safetensors file Compiled writes: the int64 batch counters first (the python
/// library orders by alignment, widest dtype first), then the float32 tensors, each group in declaration
/// order, back to back from offset 0; and the header describing them, padded with spaces to a multiple of 8
/// bytes so the data starts 8-byte aligned.
/// </summary>
internal static class SafetensorsLayout
{
    /// <summary>The dtype a tensor of <paramref name="store"/> has in the file.</summary>
    public static string DType(TensorStore store) => store == TensorStore.BatchCounter ? "I64" : "F32";

    /// <summary>Bytes of one value of a tensor of <paramref name="store"/>.</summary>
    public static int ValueBytes(TensorStore store) => store == TensorStore.BatchCounter ? 8 : 4;

    /// <summary>Bytes of the tensor's data in the file.</summary>
    public static long Bytes(TensorInfo tensor) => (long)ValueBytes(tensor.Store) * tensor.Count;

    /// <summary>The tensors in file order, each with its data's first byte.</summary>
    public static List<(TensorInfo Tensor, long Begin)> Of(IReadOnlyList<TensorInfo> tensors)
    {
        var layout = new List<(TensorInfo, long)>(tensors.Count);
        long offset = 0;
        foreach (bool counters in new[] { true, false })
            foreach (var tensor in tensors)
                if ((tensor.Store == TensorStore.BatchCounter) == counters)
                {
                    layout.Add((tensor, offset));
                    offset += Bytes(tensor);
                }
        return layout;
    }

    /// <summary>The UTF-8 JSON header: <c>__metadata__</c> ({"format": "pt"}), then one entry per tensor in file order.</summary>
    public static byte[] Header(List<(TensorInfo Tensor, long Begin)> layout)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteEndObject();
            foreach (var (tensor, begin) in layout)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", DType(tensor.Store));
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(begin);
                json.WriteNumberValue(begin + Bytes(tensor));
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}
