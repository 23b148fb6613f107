using System;
using Compiled.Generator.Model;

namespace Compiled.Generator.Layers;

/// <summary>The registry of layer kinds.</summary>
internal static class LayerUnits
{
    private static readonly LayerUnit Dense = new DenseUnit();
    private static readonly LayerUnit Activation = new ActivationUnit();
    private static readonly LayerUnit Dropout = new DropoutUnit();

    public static LayerUnit For(LayerKind kind) => kind switch
    {
        LayerKind.Dense => Dense,
        LayerKind.Activation => Activation,
        LayerKind.Dropout => Dropout,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
