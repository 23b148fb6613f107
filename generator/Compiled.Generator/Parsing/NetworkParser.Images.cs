using System.Collections.Generic;
using System.Globalization;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generator.Parsing;

/// <summary>The image layers' attributes (Conv2D, MaxPool, AvgPool, GlobalAveragePool, Flatten, BatchNorm), and PReLU, which takes a vector too.</summary>
internal static partial class NetworkParser
{
    private static LayerSpec ReadImageLayer(AttributeData data, string attribute, Location location, string shortName,
        Dictionary<string, int> ordinals, HashSet<string> names, List<DiagnosticInfo> diagnostics)
    {
        string prefix = attribute switch
        {
            Conv2DAttribute => "conv",
            MaxPoolAttribute => "maxpool",
            AvgPoolAttribute => "avgpool",
            GlobalAveragePoolAttribute => "globalavgpool",
            BatchNormAttribute => "batchnorm",
            Conv2DTransposeAttribute => "deconv",
            SeparableConv2DAttribute => "sepconv",
            PReLUAttribute => "prelu",
            LayerNormAttribute => "layernorm",
            _ => "flatten",
        };
        ordinals.TryGetValue(prefix, out int ordinal);
        ordinals[prefix] = ++ordinal;
        string layerName = ReadName(data, prefix, ordinal, location, names, diagnostics);
        return attribute switch
        {
            Conv2DAttribute => ReadConv(data, LayerKind.Conv2D, layerName, location, shortName, diagnostics),
            Conv2DTransposeAttribute => ReadConv(data, LayerKind.Conv2DTranspose, layerName, location, shortName, diagnostics),
            SeparableConv2DAttribute => ReadConv(data, LayerKind.SeparableConv2D, layerName, location, shortName, diagnostics),
            MaxPoolAttribute => ReadPool(data, LayerKind.MaxPool, layerName, location, shortName, diagnostics),
            AvgPoolAttribute => ReadPool(data, LayerKind.AvgPool, layerName, location, shortName, diagnostics),
            GlobalAveragePoolAttribute => new LayerSpec(LayerKind.GlobalAveragePool, layerName, 0, ActivationKind.Identity, 0, 0, InitializerKind.Auto),
            BatchNormAttribute => ReadBatchNorm(data, layerName, location, shortName, diagnostics),
            PReLUAttribute => ReadPReLU(data, layerName, location, diagnostics),
            LayerNormAttribute => new LayerSpec(LayerKind.LayerNorm, layerName, 0, ActivationKind.Identity, 0, 0, InitializerKind.Auto,
                Epsilon: ReadEpsilon(data, layerName, location, shortName, diagnostics)),
            _ => new LayerSpec(LayerKind.Flatten, layerName, 0, ActivationKind.Identity, 0, 0, InitializerKind.Auto),
        };
    }

    /// <summary>Conv2D, Conv2DTranspose and SeparableConv2D share their arguments (each has a few of its own).</summary>
    private static LayerSpec ReadConv(AttributeData data, LayerKind kind, string layerName, Location location, string shortName, List<DiagnosticInfo> diagnostics)
    {
        var args = data.ConstructorArguments;
        int filters = (int)args[0].Value!;
        int? ctorKernel = args.Length > 1 ? (int)args[1].Value! : null;
        var activation = ReadActivation(args.Length > 2 ? args[2] : default, location, shortName, diagnostics);
        if (NamedValue(data, "Activation") is { } namedActivation)
        {
            if (args.Length > 2 && !args[2].IsNull && (int)args[2].Value! != 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                    $"layer '{layerName}' gives its activation twice; keep one"));
            activation = ReadActivation(namedActivation, location, shortName, diagnostics);
        }

        int? kernel = NamedInt(data, "Kernel");
        if (kernel is not null && ctorKernel is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' gives its kernel twice, as an argument and as Kernel; keep one"));
        kernel ??= ctorKernel;
        int? kernelHeight = NamedInt(data, "KernelHeight") ?? kernel;
        int? kernelWidth = NamedInt(data, "KernelWidth") ?? kernel;
        if (kernelHeight is null || kernelWidth is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has no kernel size: write [Conv2D({filters.ToString(CultureInfo.InvariantCulture)}, 3)] or Kernel = 3 (or KernelHeight and KernelWidth)"));
            kernelHeight ??= 1;
            kernelWidth ??= 1;
        }

        string title = $"{kind} '{layerName}'";
        Positive(filters, title + " filters", location, diagnostics);
        Positive(kernelHeight.Value, title + " kernel height", location, diagnostics);
        Positive(kernelWidth.Value, title + " kernel width", location, diagnostics);
        int stride = Positive(NamedInt(data, "Stride") ?? 1, title + " Stride", location, diagnostics);
        int dilation = Positive(NamedInt(data, "Dilation") ?? 1, title + " Dilation", location, diagnostics);
        int groups = Positive(NamedInt(data, "Groups") ?? 1, title + " Groups", location, diagnostics);
        var (padding, padHeight, padWidth) = ReadPadding(data, layerName, location, shortName, diagnostics, window: null);
        bool bias = NamedValue(data, "Bias") is not { Value: false };

        double alpha = ReadAlpha(data, activation, layerName, location, shortName, diagnostics);
        var init = ReadInitializer(data, location, shortName, $"layer '{layerName}'", diagnostics, out double initialValue);
        int outputPad = NamedInt(data, "OutputPad") ?? 0;
        if (outputPad < 0 || (outputPad > 0 && outputPad >= stride))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has OutputPad = {outputPad.ToString(CultureInfo.InvariantCulture)}: it must be 0 or more and smaller than the stride ({stride.ToString(CultureInfo.InvariantCulture)})"));
        else if (outputPad > 0 && padding == PaddingKind.Same)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has Padding = Padding.Same and an OutputPad; Same already gives input × stride: keep one"));
        int multiplier = Positive(NamedInt(data, "DepthMultiplier") ?? 1, title + " DepthMultiplier", location, diagnostics);
        var window = new WindowSpec(kernelHeight.Value, kernelWidth.Value, stride, padding, padHeight, padWidth, dilation, groups, bias, outputPad, multiplier);
        var (l1, l2) = ReadPenalties(data, layerName, location, shortName, diagnostics);
        return new LayerSpec(kind, layerName, filters, activation, alpha, 0, init, window, L1: l1, L2: l2, InitialValue: initialValue);
    }

    private static LayerSpec ReadBatchNorm(AttributeData data, string layerName, Location location, string shortName, List<DiagnosticInfo> diagnostics)
    {
        double momentum = NamedValue(data, "Momentum") is { Value: { } m } ? System.Convert.ToDouble(m, CultureInfo.InvariantCulture) : 0.1;
        if (!(momentum >= 0 && momentum <= 1))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has Momentum = {momentum.ToString("R", CultureInfo.InvariantCulture)}: it must lie in [0, 1], such as 0.1 (the weight of each new batch)"));
        double epsilon = ReadEpsilon(data, layerName, location, shortName, diagnostics);
        return new LayerSpec(LayerKind.BatchNorm, layerName, 0, ActivationKind.Identity, 0, 0, InitializerKind.Auto, Momentum: momentum, Epsilon: epsilon);
    }

    /// <summary>BatchNorm's and LayerNorm's Epsilon (1e-5 unless given): a number above 0 that a float holds, since the emitted code holds it as one.</summary>
    private static double ReadEpsilon(AttributeData data, string layerName, Location location, string shortName, List<DiagnosticInfo> diagnostics)
    {
        double epsilon = NamedValue(data, "Epsilon") is { Value: { } e } ? System.Convert.ToDouble(e, CultureInfo.InvariantCulture) : 1e-5;
        if (!((float)epsilon > 0 && !float.IsInfinity((float)epsilon)))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has Epsilon = {epsilon.ToString("R", CultureInfo.InvariantCulture)}: it must be a number above 0 that a float holds, such as 1e-5"));
        return epsilon;
    }

    /// <summary>PReLU: Units 1 for one shared slope, 0 for one per channel (the planner knows the channels); InitialValue 0.25 unless given.</summary>
    private static LayerSpec ReadPReLU(AttributeData data, string layerName, Location location, List<DiagnosticInfo> diagnostics)
    {
        bool shared = NamedValue(data, "Shared") is { Value: true };
        double initial = ReadInitialValue(data, location, $"layer '{layerName}'", diagnostics) ?? 0.25;
        return new LayerSpec(LayerKind.PReLU, layerName, shared ? 1 : 0, ActivationKind.Identity, 0, 0, InitializerKind.Constant, InitialValue: initial);
    }

    private static LayerSpec ReadPool(AttributeData data, LayerKind kind, string layerName, Location location, string shortName, List<DiagnosticInfo> diagnostics)
    {
        int size = (int)data.ConstructorArguments[0].Value!;
        string title = $"{kind} '{layerName}'";
        Positive(size, title + " size", location, diagnostics);
        int stride = Positive(NamedInt(data, "Stride") ?? size, title + " Stride", location, diagnostics);
        var (padding, padHeight, padWidth) = ReadPadding(data, layerName, location, shortName, diagnostics, window: size);
        var window = new WindowSpec(size, size, stride, padding, padHeight, padWidth, Dilation: 1, Groups: 1, Bias: false);
        return new LayerSpec(kind, layerName, 0, ActivationKind.Identity, 0, 0, InitializerKind.Auto, window);
    }

    /// <summary>
    /// Padding = Valid/Same and the explicit Pad, PadHeight, PadWidth (which exclude Same). A pooling
    /// window (<paramref name="window"/> given) must be larger than its padding, or a window could hold only padding.
    /// </summary>
    private static (PaddingKind Padding, int PadHeight, int PadWidth) ReadPadding(AttributeData data, string layerName, Location location,
        string shortName, List<DiagnosticInfo> diagnostics, int? window)
    {
        var padding = (PaddingKind)(NamedInt(data, "Padding") ?? 0);
        if (!System.Enum.IsDefined(typeof(PaddingKind), padding))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"{((int)padding).ToString(CultureInfo.InvariantCulture)} is not a Padding value"));
            padding = PaddingKind.Valid;
        }
        int? pad = NamedInt(data, "Pad");
        int? padHeight = NamedInt(data, "PadHeight") ?? pad;
        int? padWidth = NamedInt(data, "PadWidth") ?? pad;
        if (padding == PaddingKind.Same && (padHeight is not null || padWidth is not null))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                $"layer '{layerName}' has Padding = Padding.Same and an explicit Pad; keep one"));
            return (padding, 0, 0);
        }
        foreach (int? p in new[] { padHeight, padWidth })
        {
            if (p is < 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                    $"layer '{layerName}' has padding {p.Value.ToString(CultureInfo.InvariantCulture)}: padding must be 0 or more"));
            else if (window is { } size && size > 0 && p >= size)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                    $"layer '{layerName}' has padding {p.Value.ToString(CultureInfo.InvariantCulture)}, not smaller than its window ({size.ToString(CultureInfo.InvariantCulture)}): a window could then hold only padding"));
        }
        return (padding, padHeight ?? 0, padWidth ?? 0);
    }

    /// <summary>Adds CMP003 when <paramref name="value"/> is not positive; returns the value, or 1 in its place.</summary>
    private static int Positive(int value, string what, Location location, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0) return value;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, what, value.ToString(CultureInfo.InvariantCulture)));
        return 1;
    }

    private static TypedConstant? NamedValue(AttributeData data, string key)
    {
        foreach (var named in data.NamedArguments)
            if (named.Key == key) return named.Value;
        return null;
    }

    private static int? NamedInt(AttributeData data, string key) => NamedValue(data, key) is { Value: int i } ? i : null;
}
