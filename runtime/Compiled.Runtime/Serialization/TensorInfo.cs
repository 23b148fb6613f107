using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Compiled;

/// <summary>Where the values of a <see cref="TensorInfo"/> live.</summary>
public enum TensorStore
{
    /// <summary>In <see cref="INetwork.Parameters"/>, from <see cref="TensorInfo.Offset"/>, as float32.</summary>
    Parameters,

    /// <summary>In <see cref="INetwork.State"/> (BatchNorm running statistics), from <see cref="TensorInfo.Offset"/>, as float32.</summary>
    State,

    /// <summary>
    /// Nowhere: PyTorch's <c>num_batches_tracked</c> of a BatchNorm layer, an int64 scalar Compiled does not
    /// keep (its momentum is fixed). Exported as 0; accepted and ignored on import.
    /// </summary>
    BatchCounter,
}

/// <summary>
/// One named tensor of a network, as PyTorch's <c>state_dict</c> names and shapes it (e.g. <c>conv1.weight</c>,
/// [out, in/groups, kH, kW]): the generator lists them in <see cref="INetwork.Tensors"/>, and
/// <see cref="Safetensors"/> reads and writes them by these names.
/// </summary>
public sealed class TensorInfo
{
    /// <summary>Creates the description; <paramref name="shape"/> is copied.</summary>
    /// <exception cref="ArgumentException">An empty name, a negative dimension, or a batch counter that is not a scalar at offset 0.</exception>
    public TensorInfo(string name, int[] shape, TensorStore store, int offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension ({dimension}).", nameof(shape));
            count = checked(count * dimension);
        }
        if (store == TensorStore.BatchCounter && (shape.Length != 0 || offset != 0))
            throw new ArgumentException($"Tensor '{name}' is a batch counter: it must be a scalar (shape []) at offset 0.", nameof(shape));
        Name = name;
        Shape = Array.AsReadOnly((int[])shape.Clone());
        Store = store;
        Offset = offset;
        Count = checked((int)count);
    }

    /// <summary>The state_dict key, e.g. <c>dense1.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The dimensions, outermost first (row-major, PyTorch's layout); empty for a scalar.</summary>
    public ReadOnlyCollection<int> Shape { get; }

    /// <summary>Which buffer holds the values.</summary>
    public TensorStore Store { get; }

    /// <summary>The first value's index in <see cref="Store"/>'s buffer.</summary>
    public int Offset { get; }

    /// <summary>Number of values: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int Count { get; }

    /// <summary>The shape as PyTorch prints it, e.g. <c>[8, 1, 3, 3]</c>.</summary>
    public string ShapeText => Format(Shape);

    /// <summary>Dimensions as <c>[a, b, c]</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {ShapeText} ({Store} at {Offset})";
}
