using System;
using Compiled.Generator.Model;

namespace Compiled.Generator.Layers;

/// <summary>The registry of layer kinds.</summary>
internal static class LayerUnits
{
    private static readonly LayerUnit Dense = new DenseUnit();
    private static readonly LayerUnit Activation = new ActivationUnit();
    private static readonly LayerUnit Dropout = new DropoutUnit();
    private static readonly LayerUnit Conv2D = new Conv2DUnit(transposed: false);
    private static readonly LayerUnit Conv2DTranspose = new Conv2DUnit(transposed: true);
    private static readonly LayerUnit MaxPool = new PoolUnit(max: true);
    private static readonly LayerUnit AvgPool = new PoolUnit(max: false);
    private static readonly LayerUnit GlobalAveragePool = new GlobalAveragePoolUnit();
    private static readonly LayerUnit Flatten = new FlattenUnit();
    private static readonly LayerUnit BatchNorm = new BatchNormUnit();
    private static readonly LayerUnit SeparableConv2D = new SeparableConv2DUnit();
    private static readonly LayerUnit PReLU = new PReLUUnit();
    private static readonly LayerUnit LayerNorm = new LayerNormUnit();

    public static LayerUnit For(LayerKind kind) => kind switch
    {
        LayerKind.Dense => Dense,
        LayerKind.Activation => Activation,
        LayerKind.Dropout => Dropout,
        LayerKind.Conv2D => Conv2D,
        LayerKind.Conv2DTranspose => Conv2DTranspose,
        LayerKind.MaxPool => MaxPool,
        LayerKind.AvgPool => AvgPool,
        LayerKind.GlobalAveragePool => GlobalAveragePool,
        LayerKind.Flatten => Flatten,
        LayerKind.BatchNorm => BatchNorm,
        LayerKind.SeparableConv2D => SeparableConv2D,
        LayerKind.PReLU => PReLU,
        LayerKind.LayerNorm => LayerNorm,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
