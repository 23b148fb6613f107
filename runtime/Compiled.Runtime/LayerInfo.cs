using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Compiled;

/// <summary>The kind of a declared layer: the name of its attribute (<c>[Conv2D]</c> is <see cref="Conv2D"/>).</summary>
public enum LayerKind
{
    Dense,
    Activation,
    Dropout,
    Conv2D,
    MaxPool,
    AvgPool,
    GlobalAveragePool,
    Flatten,
    BatchNorm,
    Conv2DTranspose,
    SeparableConv2D,
    /// <summary>Parametric ReLU (<c>[PReLU]</c>, PyTorch's nn.PReLU): one learned slope per channel, or one shared.</summary>
    PReLU,
    /// <summary>Layer normalization (<c>[LayerNorm]</c>, PyTorch's nn.LayerNorm over a sample's whole shape).</summary>
    LayerNorm,
}

/// <summary>
/// The window of a convolution or pooling layer with its padding resolved (<c>Padding.Same</c> turned into
/// TensorFlow's split), in the terms of PyTorch's and ONNX's operators.
/// </summary>
public sealed class LayerWindow
{
    /// <summary>Creates the description.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, stride, dilation or group count below 1, or a negative padding.</exception>
    public LayerWindow(int kernelHeight, int kernelWidth, int stride, int padTop, int padLeft, int padBottom, int padRight,
        int dilation = 1, int groups = 1, bool bias = false, int outputPadHeight = 0, int outputPadWidth = 0, int depthMultiplier = 1)
    {
        foreach (int positive in new[] { kernelHeight, kernelWidth, stride, dilation, groups, depthMultiplier })
            ArgumentOutOfRangeException.ThrowIfLessThan(positive, 1);
        foreach (int pad in new[] { padTop, padLeft, padBottom, padRight, outputPadHeight, outputPadWidth })
            ArgumentOutOfRangeException.ThrowIfNegative(pad);
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Stride = stride;
        PadTop = padTop;
        PadLeft = padLeft;
        PadBottom = padBottom;
        PadRight = padRight;
        Dilation = dilation;
        Groups = groups;
        Bias = bias;
        OutputPadHeight = outputPadHeight;
        OutputPadWidth = outputPadWidth;
        DepthMultiplier = depthMultiplier;
    }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    /// <summary>The same along both axes.</summary>
    public int Stride { get; }

    /// <summary>
    /// Convolution and pooling: rows added above the input (zeros; pooling ignores them). Transposed convolution:
    /// rows removed from the top of the full output (ONNX's ConvTranspose <c>pads</c>, PyTorch's <c>padding</c>).
    /// </summary>
    public int PadTop { get; }

    /// <summary>Like <see cref="PadTop"/>, for the columns on the left.</summary>
    public int PadLeft { get; }

    /// <summary>Like <see cref="PadTop"/>, for the rows at the bottom (Same may put one more there than at the top).</summary>
    public int PadBottom { get; }

    /// <summary>Like <see cref="PadTop"/>, for the columns on the right.</summary>
    public int PadRight { get; }

    /// <summary>The spacing of the kernel's taps (1: contiguous). Pooling: 1.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups of a convolution (1 for pooling and separable convolutions).</summary>
    public int Groups { get; }

    /// <summary>Whether the convolution adds a bias (false for pooling).</summary>
    public bool Bias { get; }

    /// <summary>Transposed convolution: rows added at the bottom of the output (ONNX's <c>output_padding</c>).</summary>
    public int OutputPadHeight { get; }

    /// <summary>Transposed convolution: columns added at the right of the output.</summary>
    public int OutputPadWidth { get; }

    /// <summary>Separable convolution: depthwise kernels per input channel (1 otherwise).</summary>
    public int DepthMultiplier { get; }
}

/// <summary>
/// One layer of a network as declared, with its shapes resolved: the generator lists them in
/// <see cref="INetwork.Layers"/>, and <see cref="Onnx"/> turns them into a graph. The layer's tensors are those
/// of <see cref="INetwork.Tensors"/> whose names start with <see cref="Name"/> and a dot.
/// </summary>
public sealed class LayerInfo
{
    /// <summary>Creates the description; the shapes are copied.</summary>
    /// <exception cref="ArgumentException">An empty name, or a shape that is not a vector [F] or an image [C, H, W] of positive sizes.</exception>
    public LayerInfo(string name, LayerKind kind, int[] inputShape, int[] outputShape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        InputShape = CheckShape(name, inputShape, nameof(inputShape));
        OutputShape = CheckShape(name, outputShape, nameof(outputShape));
        Name = name;
        Kind = kind;
    }

    private static ReadOnlyCollection<int> CheckShape(string name, int[] shape, string parameter)
    {
        ArgumentNullException.ThrowIfNull(shape, parameter);
        if (shape.Length is not (1 or 3) || Array.Exists(shape, d => d < 1))
            throw new ArgumentException($"Layer '{name}' has shape {TensorInfo.Format(shape)}: expected [features] or [channels, height, width] of positive sizes.", parameter);
        return Array.AsReadOnly((int[])shape.Clone());
    }

    /// <summary>The layer's name in the declaration (<c>conv1</c>, or the <c>Name</c> given): the prefix of its tensors.</summary>
    public string Name { get; }

    /// <summary>The layer's attribute: <see cref="LayerKind.Dense"/>, <see cref="LayerKind.Conv2D"/>, …</summary>
    public LayerKind Kind { get; }

    /// <summary>The shape of one input sample: [features] or [channels, height, width].</summary>
    public ReadOnlyCollection<int> InputShape { get; }

    /// <summary>The shape of one output sample.</summary>
    public ReadOnlyCollection<int> OutputShape { get; }

    /// <summary>
    /// The activation the layer applies (Dense, convolutions, Activation), as the name of the
    /// <c>Compiled.Activation</c> member: <c>Identity</c>, <c>ReLU</c>, <c>LeakyReLU</c>, <c>Softmax</c>, …
    /// </summary>
    public string Activation { get; init; } = "Identity";

    /// <summary>The activation's α (leaky ReLU's slope, ELU's scale); 0 when it takes none.</summary>
    public float Alpha { get; init; }

    /// <summary>Convolutions and pooling: the window; null for the other kinds.</summary>
    public LayerWindow? Window { get; init; }

    /// <summary>BatchNorm and LayerNorm: added to the variance.</summary>
    public float Epsilon { get; init; }

    /// <summary>BatchNorm: the weight of a batch in the running statistics (PyTorch's momentum).</summary>
    public float Momentum { get; init; }

    /// <summary>Dropout: the probability of dropping a value in training.</summary>
    public float Rate { get; init; }

    /// <summary>"conv1 (Conv2D) [2, 8, 8] → [4, 8, 8]".</summary>
    public override string ToString() => $"{Name} ({Kind}) {TensorInfo.Format(InputShape)} → {TensorInfo.Format(OutputShape)}";

    /// <summary>Whether a shape is an image [C, H, W] (else a vector [F]).</summary>
    internal static bool IsImage(IReadOnlyList<int> shape) => shape.Count == 3;
}
