namespace Compiled.Generator.Model;

// Caching contract: everything here is a string, a primitive, an enum or an EquatableArray of records
// of those. No ISymbol, SyntaxNode, Location or Compilation survives the parse step, so two parses
// of equivalent source compare equal and the emit step is skipped.

/// <summary>One layer as declared: the attribute's arguments, defaults filled in.</summary>
/// <param name="Units">Dense: outputs. Conv2D: filters. Other kinds: 0.</param>
/// <param name="Alpha">Leaky ReLU slope or ELU α (0 when the activation takes none).</param>
/// <param name="Rate">Dropout rate (0 for other kinds).</param>
/// <param name="Momentum">BatchNorm: weight of the batch in the running statistics.</param>
/// <param name="Epsilon">BatchNorm: added to the variance.</param>
/// <param name="L1">Penalty λ₁·Σ|W| on the layer's weights (0: none).</param>
/// <param name="L2">Penalty λ₂·ΣW² on the layer's weights (0: none).</param>
/// <param name="InitialValue">With <see cref="InitializerKind.Constant"/>: every weight's starting value.</param>
internal sealed record LayerSpec(
    LayerKind Kind,
    string Name,
    int Units,
    ActivationKind Activation,
    double Alpha,
    double Rate,
    InitializerKind Initializer,
    WindowSpec? Window = null,
    double Momentum = 0,
    double Epsilon = 0,
    double L1 = 0,
    double L2 = 0,
    double InitialValue = 0);

/// <summary>
/// The window of a convolution or pooling layer, as declared (defaults filled in). Height and width
/// are separate so that rectangular kernels and explicit per-axis padding need no new fields.
/// </summary>
/// <param name="Padding">Valid: use <paramref name="PadHeight"/>/<paramref name="PadWidth"/> (0 unless given). Same: TensorFlow's split.</param>
/// <param name="Groups">Convolution channel groups (1 for pooling).</param>
/// <param name="Bias">Whether a convolution has a bias (false for pooling).</param>
/// <param name="OutputPad">Conv2DTranspose: extra output rows and columns at the bottom and right.</param>
/// <param name="DepthMultiplier">SeparableConv2D: depthwise kernels per input channel.</param>
internal sealed record WindowSpec(
    int KernelHeight,
    int KernelWidth,
    int Stride,
    PaddingKind Padding,
    int PadHeight,
    int PadWidth,
    int Dilation,
    int Groups,
    bool Bias,
    int OutputPad = 0,
    int DepthMultiplier = 1);

/// <summary>A whole network declaration.</summary>
/// <param name="Namespace">The class's namespace, or empty for the global namespace.</param>
/// <param name="InitialValue">With a network-wide <see cref="InitializerKind.Constant"/>: every weight's starting value.</param>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    LossKind Loss,
    long Seed,
    InitializerKind Initializer,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers,
    double LabelSmoothing = 0,
    double InitialValue = 0);
