using System;

namespace Compiled;

/// <summary>How a convolution or pooling window treats the image border.</summary>
public enum Padding
{
    /// <summary>No padding (unless an explicit <c>Pad</c> is given): windows stay inside the image.</summary>
    Valid = 0,

    /// <summary>
    /// Zero padding so that the output is ceil(size / stride) along each axis, split as TensorFlow does:
    /// the total padding max((O − 1)·S + D·(K − 1) + 1 − W, 0), with the odd one at the bottom/right.
    /// </summary>
    Same = 1,
}

/// <summary>
/// A 2-D convolution over [channels, height, width] samples (NCHW, cross-correlation as in PyTorch):
/// y[o, i, j] = f(b[o] + Σ W[o, c, u, v] · x[c, i·S − P + u·D, j·S − P + v·D]), zero outside the image.
/// Weights are stored [filters, channels / groups, kernel height, kernel width] (PyTorch's layout), then the bias [filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Attribute
{
    /// <summary>Declares a convolution of <paramref name="filters"/> output channels; give the size with <see cref="Kernel"/>.</summary>
    public Conv2DAttribute(int filters) => Filters = filters;

    /// <summary>Declares a convolution of <paramref name="filters"/> output channels with a square kernel and an optional fused activation.</summary>
    public Conv2DAttribute(int filters, int kernel, Activation activation = Activation.Identity)
    {
        Filters = filters;
        Kernel = kernel;
        Activation = activation;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Side of a square kernel (or use <see cref="KernelHeight"/> and <see cref="KernelWidth"/>).</summary>
    public int Kernel { get; set; }

    /// <summary>Kernel height, for a rectangular kernel (with <see cref="KernelWidth"/>).</summary>
    public int KernelHeight { get; set; }

    /// <summary>Kernel width, for a rectangular kernel (with <see cref="KernelHeight"/>).</summary>
    public int KernelWidth { get; set; }

    /// <summary>Step between windows along both axes (default 1).</summary>
    public int Stride { get; set; }

    /// <summary><see cref="Padding.Valid"/> (default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; }

    /// <summary>Explicit zero padding on every side (both axes); excludes <see cref="Padding.Same"/>.</summary>
    public int Pad { get; set; }

    /// <summary>Explicit zero padding at the top and bottom (overrides <see cref="Pad"/> for the height).</summary>
    public int PadHeight { get; set; }

    /// <summary>Explicit zero padding at the left and right (overrides <see cref="Pad"/> for the width).</summary>
    public int PadWidth { get; set; }

    /// <summary>Spacing between kernel taps (default 1; 2 doubles the field of view at the same cost).</summary>
    public int Dilation { get; set; }

    /// <summary>
    /// Channel groups (default 1): each group of channels / groups inputs feeds filters / groups outputs.
    /// Groups = channels is a depthwise convolution.
    /// </summary>
    public int Groups { get; set; }

    /// <summary>Whether the layer adds a learned bias per filter (default true; turn off before BatchNorm).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Activation applied to the convolution's output.</summary>
    public Activation Activation { get; set; }

    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> (default 0.01) or α of <see cref="Activation.ELU"/> (default 1).</summary>
    public double Alpha { get; set; }

    /// <summary>The layer's name, used for its parameter views (default: conv1, conv2, …).</summary>
    public string? Name { get; set; }

    /// <summary>Overrides the network's <see cref="NetworkAttribute.Initializer"/> for this layer.</summary>
    public Initializer Initializer { get; set; }

    /// <summary>
    /// With <see cref="Initializer"/> = <see cref="Compiled.Initializer.Constant"/>: the value of every weight (not the bias,
    /// which starts at 0). A finite number; given with any other initializer it is an error (CMP027).
    /// </summary>
    public double InitialValue { get; set; }

    /// <summary>
    /// L1 penalty on this layer's weights (not its bias): λ₁·Σ|W| is added to the training loss, λ₁·sign(W) to the
    /// gradient. 0 (the default) or a finite positive number.
    /// </summary>
    public double L1 { get; set; }

    /// <summary>
    /// L2 penalty on this layer's weights (not its bias), as Keras counts it: λ₂·ΣW² is added to the training loss,
    /// 2·λ₂·W to the gradient (the optimizers' WeightDecay is the same thing for the whole network, in PyTorch's
    /// convention λ·W). 0 (the default) or a finite positive number.
    /// </summary>
    public double L2 { get; set; }
}

/// <summary>
/// Max pooling: each output is the largest input in its window (per channel). Backward routes the
/// gradient to that input (the first one on a tie). Padding never wins.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : Attribute
{
    /// <summary>Declares max pooling over <paramref name="size"/> × <paramref name="size"/> windows (stride = size unless given).</summary>
    public MaxPoolAttribute(int size) => Size = size;

    /// <summary>Window side.</summary>
    public int Size { get; }

    /// <summary>Step between windows (default: <see cref="Size"/>, windows that do not overlap).</summary>
    public int Stride { get; set; }

    /// <summary><see cref="Padding.Valid"/> (default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; }

    /// <summary>Explicit padding on every side; must be smaller than the window.</summary>
    public int Pad { get; set; }

    /// <summary>The layer's name (default: maxpool1, maxpool2, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Average pooling: each output is the mean of the inputs in its window (per channel). Padding is not
/// counted: a window half outside the image averages its inside half (PyTorch's count_include_pad = false).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : Attribute
{
    /// <summary>Declares average pooling over <paramref name="size"/> × <paramref name="size"/> windows (stride = size unless given).</summary>
    public AvgPoolAttribute(int size) => Size = size;

    /// <summary>Window side.</summary>
    public int Size { get; }

    /// <summary>Step between windows (default: <see cref="Size"/>).</summary>
    public int Stride { get; set; }

    /// <summary><see cref="Padding.Valid"/> (default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; }

    /// <summary>Explicit padding on every side; must be smaller than the window.</summary>
    public int Pad { get; set; }

    /// <summary>The layer's name (default: avgpool1, avgpool2, …).</summary>
    public string? Name { get; set; }
}

/// <summary>Global average pooling: [channels, height, width] → [channels], the mean of each channel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePoolAttribute : Attribute
{
    /// <summary>The layer's name (default: globalavgpool1, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Flatten: [channels, height, width] → [channels·height·width], in NCHW order (PyTorch's flatten).
/// A Dense layer after an image flattens implicitly; this layer only makes it visible.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
    /// <summary>The layer's name (default: flatten1, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Batch normalization: per channel of an image (after a convolution) or per feature of a vector (after a
/// dense layer), y = γ·(x − μ)/√(σ² + ε) + β. Training normalizes with the batch's mean and variance and
/// moves the running statistics toward them (running = (1 − Momentum)·running + Momentum·batch, the
/// variance unbiased, as PyTorch); inference uses the running statistics. γ (starting at 1) and β
/// (starting at 0) are learned parameters, stored as the layer's weight and bias; the running mean and
/// variance are state, saved with the weights but not trained.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
    /// <summary>Weight of the newest batch in the running statistics (default 0.1, PyTorch's; Keras's 0.99 is 0.01 here).</summary>
    public double Momentum { get; set; } = 0.1;

    /// <summary>Added to the variance before the square root (default 1e-5).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>The layer's name (default: batchnorm1, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// A transposed convolution (learned upsampling, PyTorch's ConvTranspose2d): each input pixel scatters a
/// kernel-sized patch into the output, so stride 2 doubles the size. Output size per axis:
/// (W − 1)·S − 2·Pad + D·(K − 1) + OutputPad + 1; with <see cref="Padding.Same"/>, W·S.
/// Weights are stored [channels, filters / groups, kH, kW] (PyTorch's layout), then the bias [filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DTransposeAttribute : Attribute
{
    /// <summary>Declares a transposed convolution of <paramref name="filters"/> output channels; give the size with <see cref="Kernel"/>.</summary>
    public Conv2DTransposeAttribute(int filters) => Filters = filters;

    /// <summary>Declares a transposed convolution with a square kernel and an optional fused activation.</summary>
    public Conv2DTransposeAttribute(int filters, int kernel, Activation activation = Activation.Identity)
    {
        Filters = filters;
        Kernel = kernel;
        Activation = activation;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Side of a square kernel (or use <see cref="KernelHeight"/> and <see cref="KernelWidth"/>).</summary>
    public int Kernel { get; set; }

    /// <summary>Kernel height, for a rectangular kernel.</summary>
    public int KernelHeight { get; set; }

    /// <summary>Kernel width, for a rectangular kernel.</summary>
    public int KernelWidth { get; set; }

    /// <summary>Upsampling factor (default 1).</summary>
    public int Stride { get; set; }

    /// <summary><see cref="Padding.Valid"/> (default) or <see cref="Padding.Same"/> (output = input · stride).</summary>
    public Padding Padding { get; set; }

    /// <summary>Removes this many rows and columns from each border of the full output (PyTorch's padding).</summary>
    public int Pad { get; set; }

    /// <summary>Pad for the height only.</summary>
    public int PadHeight { get; set; }

    /// <summary>Pad for the width only.</summary>
    public int PadWidth { get; set; }

    /// <summary>Extra rows and columns at the bottom and right (PyTorch's output_padding), below the stride: picks among the sizes a stride-S convolution maps back to the input.</summary>
    public int OutputPad { get; set; }

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; }

    /// <summary>Channel groups (default 1).</summary>
    public int Groups { get; set; }

    /// <summary>Whether the layer adds a learned bias per filter (default true).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Activation applied to the output.</summary>
    public Activation Activation { get; set; }

    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> (default 0.01) or α of <see cref="Activation.ELU"/> (default 1).</summary>
    public double Alpha { get; set; }

    /// <summary>The layer's name (default: deconv1, deconv2, …).</summary>
    public string? Name { get; set; }

    /// <summary>Overrides the network's <see cref="NetworkAttribute.Initializer"/> for this layer.</summary>
    public Initializer Initializer { get; set; }

    /// <summary>
    /// With <see cref="Initializer"/> = <see cref="Compiled.Initializer.Constant"/>: the value of every weight (not the bias,
    /// which starts at 0). A finite number; given with any other initializer it is an error (CMP027).
    /// </summary>
    public double InitialValue { get; set; }

    /// <summary>
    /// L1 penalty on this layer's weights (not its bias): λ₁·Σ|W| is added to the training loss, λ₁·sign(W) to the
    /// gradient. 0 (the default) or a finite positive number.
    /// </summary>
    public double L1 { get; set; }

    /// <summary>
    /// L2 penalty on this layer's weights (not its bias), as Keras counts it: λ₂·ΣW² is added to the training loss,
    /// 2·λ₂·W to the gradient (the optimizers' WeightDecay is the same thing for the whole network, in PyTorch's
    /// convention λ·W). 0 (the default) or a finite positive number.
    /// </summary>
    public double L2 { get; set; }
}

/// <summary>
/// A depthwise-separable convolution: a depthwise convolution (each channel filtered on its own by
/// <see cref="DepthMultiplier"/> kernels, no bias) followed by a 1×1 pointwise convolution to
/// <see cref="Filters"/> channels with bias and activation. Far fewer weights than a full convolution
/// (MobileNet, Xception). Weights: depthwise [channels · multiplier, 1, kH, kW], pointwise
/// [filters, channels · multiplier, 1, 1], then the bias [filters].
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SeparableConv2DAttribute : Attribute
{
    /// <summary>Declares a separable convolution of <paramref name="filters"/> outputs with a square depthwise kernel.</summary>
    public SeparableConv2DAttribute(int filters, int kernel, Activation activation = Activation.Identity)
    {
        Filters = filters;
        Kernel = kernel;
        Activation = activation;
    }

    /// <summary>Output channels of the pointwise step.</summary>
    public int Filters { get; }

    /// <summary>Side of the depthwise kernel.</summary>
    public int Kernel { get; }

    /// <summary>Depthwise kernels per input channel (default 1).</summary>
    public int DepthMultiplier { get; set; }

    /// <summary>Step of the depthwise convolution (default 1).</summary>
    public int Stride { get; set; }

    /// <summary><see cref="Padding.Valid"/> (default) or <see cref="Padding.Same"/>.</summary>
    public Padding Padding { get; set; }

    /// <summary>Explicit zero padding of the depthwise convolution on every side.</summary>
    public int Pad { get; set; }

    /// <summary>Spacing between depthwise kernel taps (default 1).</summary>
    public int Dilation { get; set; }

    /// <summary>Whether the pointwise step adds a bias (default true).</summary>
    public bool Bias { get; set; } = true;

    /// <summary>Activation applied to the pointwise output.</summary>
    public Activation Activation { get; set; }

    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> or α of <see cref="Activation.ELU"/>.</summary>
    public double Alpha { get; set; }

    /// <summary>The layer's name (default: sepconv1, …).</summary>
    public string? Name { get; set; }

    /// <summary>Overrides the network's <see cref="NetworkAttribute.Initializer"/> for this layer.</summary>
    public Initializer Initializer { get; set; }

    /// <summary>
    /// With <see cref="Initializer"/> = <see cref="Compiled.Initializer.Constant"/>: the value of every weight (not the bias,
    /// which starts at 0). A finite number; given with any other initializer it is an error (CMP027).
    /// </summary>
    public double InitialValue { get; set; }

    /// <summary>
    /// L1 penalty on this layer's weights (not its bias): λ₁·Σ|W| is added to the training loss, λ₁·sign(W) to the
    /// gradient. 0 (the default) or a finite positive number.
    /// </summary>
    public double L1 { get; set; }

    /// <summary>
    /// L2 penalty on this layer's weights (not its bias), as Keras counts it: λ₂·ΣW² is added to the training loss,
    /// 2·λ₂·W to the gradient (the optimizers' WeightDecay is the same thing for the whole network, in PyTorch's
    /// convention λ·W). 0 (the default) or a finite positive number.
    /// </summary>
    public double L2 { get; set; }
}
