using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Compiled.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Every diagnostic the generator reports (CMP001–CMP027): for each broken declaration, the right ID,
/// as an error, at the place the user must edit, with no source generated for that network and no
/// exception escaping the generator (which the compiler would turn into an obscure CS8785 warning and
/// silently drop the network's code).
/// </summary>
public class DiagnosticTests
{
    /// <summary>A broken declaration and what the generator must say about it.</summary>
    /// <param name="Ids">Every ID the generator must report for the source, and no other; the first is the one under test.</param>
    /// <param name="At">The start of the source text the first ID must point at: the attribute to fix, or the class name.</param>
    private sealed record Case(string Source, string At, params string[] Ids);

    private static string InNamespace(string declaration) => "using Compiled;\n\nnamespace Bad;\n\n" + declaration + "\n";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["CMP001 class not partial"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public class NotPartial { }
            """), "NotPartial", "CMP001"),

        ["CMP002 no [Input]"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Dense(1)]
            public partial class NoInput;
            """), "Network(", "CMP002"),

        ["CMP003 Dense(0)"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(0)]
            public partial class ZeroUnits;
            """), "Dense(0)", "CMP003"),

        ["CMP003 Input(-3)"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(-3)]
            [Dense(1)]
            public partial class NegativeInput;
            """), "Input(-3)", "CMP003"),

        ["CMP004 SoftmaxCrossEntropy on one output"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(4)]
            [Dense(1)]
            public partial class OneClass;
            """), "Network(", "CMP004"),

        ["CMP004 BinaryCrossEntropy on three outputs"] = new(InNamespace("""
            [Network(Loss = Loss.BinaryCrossEntropy)]
            [Input(4)]
            [Dense(3)]
            public partial class ThreeOutputBinary;
            """), "Network(", "CMP004"),

        ["CMP004 MultiLabelBinaryCrossEntropy after a fused softmax"] = new(InNamespace("""
            [Network(Loss = Loss.MultiLabelBinaryCrossEntropy)]
            [Input(4)]
            [Dense(3, Activation.Softmax)]
            public partial class SoftmaxMultiLabel;
            """), "Dense(3, Activation.Softmax)", "CMP004"),

        ["CMP004 MultiLabelBinaryCrossEntropy after a softmax layer"] = new(InNamespace("""
            [Network(Loss = Loss.MultiLabelBinaryCrossEntropy)]
            [Input(4)]
            [Dense(3)]
            [Activation(Activation.Softmax)]
            public partial class SoftmaxLayerMultiLabel;
            """), "Activation(Activation.Softmax)", "CMP004"),

        ["CMP005 Dropout(1.0)"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dropout(1.0)]
            [Dense(1)]
            public partial class DropEverything;
            """), "Dropout(1.0)", "CMP005"),

        ["CMP005 Dropout(-0.1)"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8)]
            [Dropout(-0.1)]
            [Dense(1)]
            public partial class NegativeDropout;
            """), "Dropout(-0.1)", "CMP005"),

        // The compiler rejects the argument itself (CS0182) but still hands the attribute to the
        // generator, with an error constant in place of the value: it must not generate from that.
        ["CMP006 non-constant argument"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(n)]
            public partial class NonConstant
            {
                static int n = 5;
            }
            """), "Dense(n)", "CMP006"),

        // Also a compiler error (CS1503); the generator sees no matching constructor.
        ["CMP006 argument of the wrong type"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1.5)]
            public partial class WrongType;
            """), "Dense(1.5)", "CMP006"),

        ["CMP006 activation out of range"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, (Activation)42)]
            public partial class UnknownActivation;
            """), "Dense(1, (Activation)42)", "CMP006"),

        ["CMP006 Alpha on an activation without one"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Activation.ReLU, Alpha = 0.1)]
            [Dense(1)]
            public partial class AlphaOnReLU;
            """), "Dense(8, Activation.ReLU, Alpha = 0.1)", "CMP006"),

        ["CMP006 loss out of range"] = new(InNamespace("""
            [Network(Loss = (Loss)99)]
            [Input(4)]
            [Dense(1)]
            public partial class UnknownLoss;
            """), "Network(", "CMP006"),

        ["CMP006 initializer out of range"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, Initializer = (Initializer)17)]
            public partial class UnknownInitializer;
            """), "Dense(1, Initializer", "CMP006"),

        ["CMP027 constant initializer of NaN"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(3, Initializer = Initializer.Constant, InitialValue = double.NaN)]
            [Dense(1)]
            public partial class NaNConstant;
            """), "Dense(3, Initializer = Initializer.Constant, InitialValue = double.NaN)", "CMP027"),

        ["CMP027 network-wide constant beyond float"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError, Initializer = Initializer.Constant, InitialValue = -1e300)]
            [Input(4)]
            [Dense(1)]
            public partial class HugeConstant;
            """), "Network(", "CMP027"),

        ["CMP027 constant initializer of infinity on a convolution"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(1, 4, 4)]
            [Conv2D(2, 3, Initializer = Initializer.Constant, InitialValue = double.PositiveInfinity)]
            [Dense(1)]
            public partial class InfiniteConstant;
            """), "Conv2D(2, 3, Initializer", "CMP027"),

        ["CMP027 PReLU slope beyond float"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [PReLU(InitialValue = 1e39)]
            [Dense(1)]
            public partial class HugeSlope;
            """), "PReLU(InitialValue = 1e39)", "CMP027"),

        ["CMP006 LayerNorm epsilon 0"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [LayerNorm(Epsilon = 0)]
            [Dense(1)]
            public partial class ZeroEpsilon;
            """), "LayerNorm(Epsilon = 0)", "CMP006"),

        ["CMP006 InitialValue without Initializer.Constant"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, Initializer = Initializer.Zeros, InitialValue = 0.5)]
            public partial class ValueWithoutConstant;
            """), "Dense(1, Initializer = Initializer.Zeros", "CMP006"),

        ["CMP006 [Input] without dimensions"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input]
            [Dense(1)]
            public partial class NoDimensions;
            """), "Input", "CMP006"),

        // Legal C# (a null params array): must be an error like [Input], not an exception.
        ["CMP006 [Input(null)]"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(null)]
            [Dense(1)]
            public partial class NullDimensions;
            """), "Input(null)", "CMP006"),

        ["CMP007 nested class"] = new(InNamespace("""
            public partial class Outer
            {
                [Network(Loss = Loss.MeanSquaredError)]
                [Input(4)]
                [Dense(1)]
                public partial class Inner;
            }
            """), "Inner", "CMP007"),

        ["CMP008 generic class"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Generic<T>;
            """), "Generic", "CMP008"),

        ["CMP009 [Network] without Loss"] = new(InNamespace("""
            [Network(Seed = 1)]
            [Input(4)]
            [Dense(1)]
            public partial class NoLoss;
            """), "Network(Seed = 1)", "CMP009"),

        ["CMP010 no layers"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            public partial class NoLayers;
            """), "Network(", "CMP010"),

        // Roslyn does not define the order of attributes across partial declarations, so the layer
        // order would be a guess.
        ["CMP011 layers on two partial declarations"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8)]
            public partial class Split;

            [Dense(1)]
            public partial class Split;
            """), "Dense(1)", "CMP011"),

        ["CMP012 rank-2 input (sequences are not supported yet)"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(28, 28)]
            [Dense(10)]
            public partial class Rows;
            """), "Input(28, 28)", "CMP012"),

        ["CMP012 rank-4 input"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(2, 1, 28, 28)]
            [Dense(10)]
            public partial class Batched;
            """), "Input(2, 1, 28, 28)", "CMP012"),

        ["CMP024 Conv2D on a vector"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(784)]
            [Conv2D(8, 3)]
            [Dense(10)]
            public partial class FlatConv;
            """), "Conv2D(8, 3)", "CMP024"),

        ["CMP024 MaxPool after Flatten"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Flatten]
            [MaxPool(2)]
            [Dense(10)]
            public partial class PoolAfterFlatten;
            """), "MaxPool(2)", "CMP024"),

        ["CMP024 GlobalAveragePool after Dense"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Dense(16)]
            [GlobalAveragePool]
            [Dense(10)]
            public partial class GapAfterDense;
            """), "GlobalAveragePool", "CMP024"),

        ["CMP025 kernel larger than the image"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 4, 4)]
            [Conv2D(8, 5)]
            [Dense(10)]
            public partial class BigKernel;
            """), "Conv2D(8, 5)", "CMP025"),

        ["CMP025 pooling shrinks the image to nothing"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 6, 6)]
            [MaxPool(2)]
            [MaxPool(2)]
            [MaxPool(2, Name = "third")]
            [Dense(10)]
            public partial class TooManyPools;
            """), "MaxPool(2, Name = \"third\")", "CMP025"),

        ["CMP025 dilated kernel larger than the padded image"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 6, 6)]
            [Conv2D(4, 3, Dilation = 4, Pad = 1)]
            [Dense(10)]
            public partial class Dilated;
            """), "Conv2D(4, 3, Dilation = 4", "CMP025"),

        ["CMP026 groups do not divide the channels"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(3, 8, 8)]
            [Conv2D(6, 3, Groups = 2)]
            [Dense(10)]
            public partial class BadGroups;
            """), "Conv2D(6, 3, Groups = 2)", "CMP026"),

        ["CMP026 groups do not divide the filters"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(4, 8, 8)]
            [Conv2D(6, 3, Groups = 4)]
            [Dense(10)]
            public partial class BadFilterGroups;
            """), "Conv2D(6, 3, Groups = 4)", "CMP026"),

        ["CMP003 Conv2D stride 0"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, Stride = 0)]
            [Dense(10)]
            public partial class ZeroStride;
            """), "Conv2D(4, 3, Stride = 0)", "CMP003"),

        ["CMP003 Conv2D no filters"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(0, 3)]
            [Dense(10)]
            public partial class NoFilters;
            """), "Conv2D(0, 3)", "CMP003"),

        ["CMP003 MaxPool(0)"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [MaxPool(0)]
            [Dense(10)]
            public partial class ZeroPool;
            """), "MaxPool(0)", "CMP003"),

        ["CMP006 Conv2D without a kernel"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4)]
            [Dense(10)]
            public partial class NoKernel;
            """), "Conv2D(4)", "CMP006"),

        ["CMP006 Conv2D kernel given twice"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, Kernel = 5)]
            [Dense(10)]
            public partial class TwoKernels;
            """), "Conv2D(4, 3, Kernel = 5)", "CMP006"),

        ["CMP006 Same and an explicit Pad"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, Padding = Padding.Same, Pad = 1)]
            [Dense(10)]
            public partial class SameAndPad;
            """), "Conv2D(4, 3, Padding = Padding.Same", "CMP006"),

        ["CMP006 negative Pad"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, Pad = -1)]
            [Dense(10)]
            public partial class NegativePad;
            """), "Conv2D(4, 3, Pad = -1)", "CMP006"),

        ["CMP006 pooling padding as large as the window"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [AvgPool(2, Pad = 2)]
            [Dense(10)]
            public partial class PadOnlyWindow;
            """), "AvgPool(2, Pad = 2)", "CMP006"),

        ["CMP006 BatchNorm momentum above 1"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [BatchNorm(Momentum = 1.5)]
            [Dense(10)]
            public partial class BadMomentum;
            """), "BatchNorm(Momentum = 1.5)", "CMP006"),

        ["CMP006 BatchNorm epsilon that a float rounds to 0"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(16)]
            [BatchNorm(Epsilon = 1e-60)]
            [Dense(10)]
            public partial class ZeroEpsilon;
            """), "BatchNorm(Epsilon = 1e-60)", "CMP006"),

        ["CMP006 Conv2DTranspose output pad not below the stride"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(2, 4, 4)]
            [Conv2DTranspose(2, 3, Stride = 2, OutputPad = 2)]
            [Dense(10)]
            public partial class BigOutputPad;
            """), "Conv2DTranspose(2, 3, Stride = 2, OutputPad = 2)", "CMP006"),

        ["CMP006 Conv2DTranspose Same with an output pad"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(2, 4, 4)]
            [Conv2DTranspose(2, 3, Stride = 2, Padding = Padding.Same, OutputPad = 1)]
            [Dense(10)]
            public partial class SameOutputPad;
            """), "Conv2DTranspose(2, 3, Stride = 2, Padding = Padding.Same", "CMP006"),

        ["CMP025 Conv2DTranspose padding removes the whole output"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(2, 2, 2)]
            [Conv2DTranspose(2, 3, Pad = 3)]
            [Dense(10)]
            public partial class CroppedAway;
            """), "Conv2DTranspose(2, 3, Pad = 3)", "CMP025"),

        ["CMP003 SeparableConv2D depth multiplier 0"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(3, 8, 8)]
            [SeparableConv2D(4, 3, DepthMultiplier = 0)]
            [Dense(10)]
            public partial class NoDepth;
            """), "SeparableConv2D(4, 3, DepthMultiplier = 0)", "CMP003"),

        ["CMP024 SeparableConv2D on a vector"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(64)]
            [SeparableConv2D(4, 3)]
            [Dense(10)]
            public partial class FlatSeparable;
            """), "SeparableConv2D(4, 3)", "CMP024"),

        ["CMP006 label smoothing with mean squared error"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError, LabelSmoothing = 0.1)]
            [Input(4)]
            [Dense(1)]
            public partial class SmoothRegression;
            """), "Network(Loss = Loss.MeanSquaredError, LabelSmoothing = 0.1)", "CMP006"),

        ["CMP006 label smoothing of 1"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy, LabelSmoothing = 1.0)]
            [Input(4)]
            [Dense(3)]
            public partial class FullySmoothed;
            """), "Network(Loss = Loss.SoftmaxCrossEntropy, LabelSmoothing = 1.0)", "CMP006"),

        ["CMP015 image too large"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(100000, 100000, 100)]
            [Dense(10)]
            public partial class HugeImage;
            """), "Network(", "CMP015"),

        ["CMP015 padding makes the output too large"] = new(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(1, 8, 8)]
            [Conv2D(4, 3, Pad = 1000000000)]
            [Dense(10)]
            public partial class HugePadding;
            """), "Conv2D(4, 3, Pad = 1000000000)", "CMP015"),

        ["CMP013 duplicate name"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Name = "fc")]
            [Dense(1, Name = "fc")]
            public partial class DuplicateName;
            """), "Dense(1, Name = \"fc\")", "CMP013"),

        ["CMP013 name that is not an identifier"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, Name = "2fc")]
            public partial class InvalidName;
            """), "Dense(1, Name = \"2fc\")", "CMP013"),

        ["CMP013 name equal to a default name"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Name = "dense2")]
            [Dense(1)]
            public partial class TakesDefaultName;
            """), "Dense(1)", "CMP013"),

        // fc_out and fcOut both become the member prefix FcOut.
        ["CMP013 names that give the same members"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Name = "fc_out")]
            [Dense(1, Name = "fcOut")]
            public partial class SamePrefix;
            """), "Dense(1, Name = \"fcOut\")", "CMP013"),

        ["CMP014 LeakyReLU with Alpha = -1"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Activation.LeakyReLU, Alpha = -1)]
            [Dense(1)]
            public partial class NegativeSlope;
            """), "Dense(8, Activation.LeakyReLU, Alpha = -1)", "CMP014"),

        ["CMP014 ELU layer with Alpha = 0"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8)]
            [Activation(Activation.ELU, Alpha = 0)]
            [Dense(1)]
            public partial class ZeroElu;
            """), "Activation(Activation.ELU, Alpha = 0)", "CMP014"),

        ["CMP014 LeakyReLU with Alpha = NaN"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Activation.LeakyReLU, Alpha = double.NaN)]
            [Dense(1)]
            public partial class NaNSlope;
            """), "Dense(8, Activation.LeakyReLU, Alpha = double.NaN)", "CMP014"),

        ["CMP015 parameters beyond an array"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(50000)]
            [Dense(50000)]
            public partial class Huge;
            """), "Dense(50000)", "CMP015"),

        ["CMP016 class named like a generated member"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Predict;
            """), "Predict", "CMP016"),

        ["CMP016 class named like a layer's member"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, Name = "head")]
            public partial class HeadWeights;
            """), "HeadWeights", "CMP016"),

        ["CMP017 static class"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public static partial class StaticNet;
            """), "StaticNet", "CMP017"),

        ["CMP017 record class"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial record class RecordNet;
            """), "RecordNet", "CMP017"),

        // Alpha is emitted as a float: a double that a float cannot hold would be written as ∞ or 0.
        ["CMP014 Alpha beyond float"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Activation.LeakyReLU, Alpha = 1e300)]
            [Dense(1)]
            public partial class HugeSlope;
            """), "Dense(8, Activation.LeakyReLU, Alpha = 1e300)", "CMP014"),

        ["CMP014 Alpha that rounds to float zero"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Activation(Activation.ELU, Alpha = 1e-50)]
            [Dense(1)]
            public partial class TinyElu;
            """), "Activation(Activation.ELU, Alpha = 1e-50)", "CMP014"),

        ["CMP018 user method named Predict"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class OwnPredict
            {
                public float[] Predict(float[] x) => x;
            }
            """), "Predict", "CMP018"),

        ["CMP018 user property named Parameters"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class OwnParameters
            {
                public int Parameters => 3;
            }
            """), "Parameters", "CMP018"),

        ["CMP018 user field named _parameters"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class OwnField
            {
                private readonly float[] _parameters = new float[1];
                public int Count => _parameters.Length;
            }
            """), "_parameters", "CMP018"),

        ["CMP018 user member named like a layer's"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1, Name = "head")]
            public partial class OwnLayerMember
            {
                public const int HeadUnits = 1;
            }
            """), "HeadUnits", "CMP018"),

        ["CMP018 inherited member named Fit"] = new(InNamespace("""
            public class Trainable { public void Fit() { } }

            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class InheritsFit : Trainable;
            """), "Trainable", "CMP018"),

        ["CMP019 parameterless constructor"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class OwnConstructor
            {
                public OwnConstructor() { }
            }
            """), "OwnConstructor", "CMP019"),

        ["CMP019 constructor that does not chain"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Unchained
            {
                public Unchained(int tag) { Tag = tag; }
                public int Tag { get; }
            }
            """), "Unchained", "CMP019"),

        ["CMP020 primary constructor"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Primary(int tag)
            {
                public int Tag => tag;
            }
            """), "(int tag)", "CMP020"),

        ["CMP021 base class without a parameterless constructor"] = new(InNamespace("""
            public class NeedsName { public NeedsName(string name) { Name = name; } public string Name { get; } }

            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Derived : NeedsName;
            """), "NeedsName", "CMP021"),

        ["CMP022 layer before [Input]"] = new(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Dense(8)]
            [Input(4)]
            [Dense(1)]
            public partial class LayerFirst;
            """), "Dense(8)", "CMP022"),

        ["CMP023 layers without [Network]"] = new(InNamespace("""
            [Input(4)]
            [Dense(1)]
            public partial class Forgotten;
            """), "Input(4)", "CMP023"),

        ["CMP023 only a layer, no [Network]"] = new(InNamespace("""
            [Dropout(0.5)]
            [Dense(1)]
            public class AlsoForgotten { }
            """), "Dropout(0.5)", "CMP023"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BrokenNetwork_IsReportedAtTheCause(string caseName)
    {
        var @case = Cases[caseName];
        var run = GeneratorHarness.Run(@case.Source);

        // The generator did not crash: the driver caught no exception (it would report CS8785).
        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => !d.Id.StartsWith("CMP", StringComparison.Ordinal));

        // Exactly the expected IDs (a second, consequential error would only confuse the user).
        Assert.True(
            run.GeneratorDiagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal)
                .SequenceEqual(@case.Ids.Distinct().OrderBy(id => id, StringComparer.Ordinal)),
            $"Expected {string.Join(", ", @case.Ids)}; got:{Environment.NewLine}{run.Describe()}");

        var diagnostic = run.GeneratorDiagnostics.First(d => d.Id == @case.Ids[0]);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(GeneratorHarness.SourcePath(0), diagnostic.Location.GetLineSpan().Path);
        string at = run.TextAt(diagnostic.Location);
        Assert.True(at.StartsWith(@case.At, StringComparison.Ordinal),
            $"{diagnostic.Id} points at «{at}», expected the text starting «{@case.At}».");

        // The message was formatted with all its arguments.
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.DoesNotContain("{", message, StringComparison.Ordinal);

        // Nothing was generated for the broken network.
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void NonConstantArgument_IsReportedByTheCompilerAndTheGenerator()
    {
        var run = GeneratorHarness.Run(Cases["CMP006 non-constant argument"].Source);

        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == "CS0182");
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "CMP006");
        Assert.Null(run.Result.Exception);
    }

    /// <summary>
    /// The mistakes docs/diagnostics.md leaves to C#: its error names the attribute, and the generator
    /// neither throws nor adds errors of its own to the user's build.
    /// </summary>
    [Theory]
    [InlineData("[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Input(5)]\n[Dense(1)]\npublic partial class TwoInputs;", "CS0579")]
    [InlineData("[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(1)]\npublic partial struct OnStruct;", "CS0592")]
    [InlineData("public static class Holder\n{\n    [Dense(4)]\n    public static void OnMethod() { }\n}", "CS0592")]
    public void MistakesLeftToCSharp_GetTheCompilersError(string declaration, string id)
    {
        var run = GeneratorHarness.Run(InNamespace(declaration));

        Assert.Null(run.Result.Exception);
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == id && d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error
            && d.Location.SourceTree is { } tree && !run.Input.SyntaxTrees.Contains(tree));
    }

    [Fact]
    public void EveryDiagnosticId_HasACase()
    {
        var ids = typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .ToList();
        var covered = Cases.Values.Select(c => c.Ids[0]).ToHashSet();

        Assert.Equal(Enumerable.Range(1, 27).Select(i => $"CMP{i:000}"), ids.OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Contains(id, covered));
    }

    [Fact]
    public void EveryDescriptor_IsAnErrorEnabledByDefault()
    {
        foreach (var field in typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(DiagnosticDescriptor)))
        {
            var descriptor = (DiagnosticDescriptor)field.GetValue(null)!;
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
            Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
            Assert.Same(descriptor, DiagnosticDescriptors.ById(descriptor.Id));
        }
    }

    [Fact]
    public void BrokenNetwork_DoesNotStopAGoodOneInTheSameCompilation()
    {
        // One class with a bad dropout rate, one fine, in separate files and in the same file.
        string good = NetworkSources.FashionMlp;
        string bad = InNamespace("""
            /// <summary>Broken.</summary>
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dropout(1.5)]
            [Dense(1)]
            public partial class Broken;

            /// <summary>Fine, beside a broken one.</summary>
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class Neighbour;
            """);
        var run = GeneratorHarness.Run(bad, good);

        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("CMP005", diagnostic.Id);
        Assert.Equal(
            new[] { "Bad.Neighbour.Network.g.cs", "FashionMnistSample.FashionMlp.Network.g.cs" },
            run.Sources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        // The good networks' code compiles; the broken class is just an empty partial class.
        GeneratorSnapshotTests.AssertCompilesCleanly(run);
    }
}
