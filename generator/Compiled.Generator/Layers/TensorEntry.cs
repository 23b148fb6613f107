using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Emit;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// One row of a network's tensor table (the generated <c>Tensors</c>): a PyTorch state_dict key, its shape,
/// the buffer holding it (a <c>Compiled.TensorStore</c> member name) and its offset there, as an expression
/// over the layer's generated constants so the table reads against the views it describes.
/// </summary>
internal sealed class TensorEntry
{
    public TensorEntry(string name, int[] shape, string store, string offset)
    {
        Name = name;
        Shape = shape;
        Store = store;
        Offset = offset;
    }

    public string Name { get; }

    public int[] Shape { get; }

    public string Store { get; }

    public string Offset { get; }

    /// <summary>A float32 tensor in the parameter buffer.</summary>
    public static TensorEntry Parameter(LayerPlan layer, string suffix, string offset, params int[] shape) =>
        new(layer.Spec.Name + "." + suffix, shape, "Parameters", offset);

    /// <summary>A float32 tensor in the state buffer (running statistics).</summary>
    public static TensorEntry State(LayerPlan layer, string suffix, string offset, params int[] shape) =>
        new(layer.Spec.Name + "." + suffix, shape, "State", offset);

    /// <summary>PyTorch's int64 scalar <c>num_batches_tracked</c>, which Compiled does not keep.</summary>
    public static TensorEntry BatchCounter(LayerPlan layer) =>
        new(layer.Spec.Name + ".num_batches_tracked", new int[0], "BatchCounter", "0");

    /// <summary>
    /// Emits the static table: every layer's entries in declaration order, one line each, and the
    /// explicit <c>INetwork.Tensors</c> that returns it.
    /// </summary>
    public static void EmitTable(CodeWriter w, NetworkPlan plan)
    {
        var entries = Of(plan).ToList();
        w.Line("/// <summary>");
        w.Line("/// The tensors of PyTorch's state_dict for the equivalent torch.nn model, in declaration order: name, shape");
        w.Line("/// (PyTorch's layout), the buffer holding the values and the offset there. Read and written by");
        w.Line("/// <see cref=\"global::Compiled.Safetensors\"/>.");
        w.Line("/// </summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Compiled.TensorInfo> Tensors { get; } =");
        w.Line("    global::System.Array.AsReadOnly(new global::Compiled.TensorInfo[]");
        w.Line("    {");
        foreach (var e in entries)
        {
            string shape = e.Shape.Length == 0 ? "global::System.Array.Empty<int>()" : $"new int[] {{ {string.Join(", ", e.Shape)} }}";
            w.Line($"        new global::Compiled.TensorInfo(\"{e.Name}\", {shape}, global::Compiled.TensorStore.{e.Store}, {e.Offset}),");
        }
        w.Line("    });");
        w.Line("global::System.Collections.Generic.IReadOnlyList<global::Compiled.TensorInfo> global::Compiled.INetwork.Tensors => Tensors;");
        w.Line();
    }

    /// <summary>Every layer's entries, in declaration order.</summary>
    private static IEnumerable<TensorEntry> Of(NetworkPlan plan) => plan.Layers.SelectMany(l => LayerUnits.For(l.Spec.Kind).Tensors(l));
}
