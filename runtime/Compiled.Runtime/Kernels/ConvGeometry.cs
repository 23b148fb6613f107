using System;

namespace Compiled.Kernels;

/// <summary>
/// Geometry of a 2-D convolution (cross-correlation, as PyTorch) over NCHW samples: a sample is
/// <see cref="InChannels"/> planes of <see cref="InHeight"/> × <see cref="InWidth"/>, its output
/// <see cref="OutChannels"/> planes of <see cref="OutHeight"/> × <see cref="OutWidth"/>, and the weights are laid
/// out [OutChannels, InChannels / Groups, KernelHeight, KernelWidth]. Output row oh reads input rows
/// oh · StrideHeight − PadTop + kh · DilationHeight for kh in [0, KernelHeight); rows outside the input read 0
/// (likewise for columns). The bottom and right padding are implicit: whatever the output size needs.
/// </summary>
public readonly struct ConvGeometry
{
    /// <summary>
    /// Validates and stores a convolution's geometry. The output size is given, not derived, so both PyTorch's
    /// symmetric padding and TensorFlow's "same" padding (the odd pixel at the bottom/right) are expressible; see
    /// <see cref="OutputLength"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A size, stride, dilation or group count is less than 1, a pad is negative, or an output size does not fit the
    /// input: the last window must start no further below (right of) the input than the top (left) pad,
    /// (out − 1) · stride − padBefore ≤ input − 1 + padBefore, and the implicit bottom (right) pad it needs,
    /// (out − 1) · stride + dilation · (kernel − 1) + 1 − input − padBefore, must be at most padBefore + stride
    /// (PyTorch's symmetric padding and TensorFlow's "same" padding both satisfy this).
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A channel count is not divisible by <paramref name="groups"/>, or a size (per-sample input, output, weights,
    /// or the im2col workspace (InChannels / Groups) · KH · KW · OH · OW) exceeds <see cref="int.MaxValue"/>.
    /// </exception>
    public ConvGeometry(int inChannels, int inHeight, int inWidth, int outChannels,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int dilationHeight, int dilationWidth, int groups,
        int outHeight, int outWidth)
    {
        GeometryChecks.Positive(inChannels, nameof(inChannels));
        GeometryChecks.Positive(outChannels, nameof(outChannels));
        GeometryChecks.Positive(groups, nameof(groups));
        if (inChannels % groups != 0)
            throw new ArgumentException($"{nameof(inChannels)} = {inChannels} is not divisible by {nameof(groups)} = {groups}.", nameof(inChannels));
        if (outChannels % groups != 0)
            throw new ArgumentException($"{nameof(outChannels)} = {outChannels} is not divisible by {nameof(groups)} = {groups}.", nameof(outChannels));
        GeometryChecks.Axis(inHeight, kernelHeight, strideHeight, padTop, dilationHeight, outHeight,
            nameof(inHeight), nameof(kernelHeight), nameof(strideHeight), nameof(padTop), nameof(dilationHeight), nameof(outHeight));
        GeometryChecks.Axis(inWidth, kernelWidth, strideWidth, padLeft, dilationWidth, outWidth,
            nameof(inWidth), nameof(kernelWidth), nameof(strideWidth), nameof(padLeft), nameof(dilationWidth), nameof(outWidth));
        GeometryChecks.Fits(inHeight, kernelHeight, strideHeight, padTop, dilationHeight, outHeight, inHeight - 1L + padTop, nameof(outHeight));
        GeometryChecks.Fits(inWidth, kernelWidth, strideWidth, padLeft, dilationWidth, outWidth, inWidth - 1L + padLeft, nameof(outWidth));

        InChannels = inChannels; InHeight = inHeight; InWidth = inWidth; OutChannels = outChannels;
        KernelHeight = kernelHeight; KernelWidth = kernelWidth; StrideHeight = strideHeight; StrideWidth = strideWidth;
        PadTop = padTop; PadLeft = padLeft; DilationHeight = dilationHeight; DilationWidth = dilationWidth;
        Groups = groups; OutHeight = outHeight; OutWidth = outWidth;

        long taps = (long)(inChannels / groups) * kernelHeight * kernelWidth;
        InputSize = GeometryChecks.Size((long)inChannels * inHeight * inWidth, "InputSize = InChannels · InHeight · InWidth");
        OutputSize = GeometryChecks.Size((long)outChannels * outHeight * outWidth, "OutputSize = OutChannels · OutHeight · OutWidth");
        WeightCount = GeometryChecks.Size(outChannels * taps, "WeightCount = OutChannels · (InChannels / Groups) · KernelHeight · KernelWidth");
        GeometryChecks.Size(taps * outHeight * outWidth, "the im2col workspace (InChannels / Groups) · KernelHeight · KernelWidth · OutHeight · OutWidth");
    }

    /// <summary>Input channels of a sample.</summary>
    public int InChannels { get; }
    /// <summary>Input rows of a channel plane.</summary>
    public int InHeight { get; }
    /// <summary>Input columns of a channel plane.</summary>
    public int InWidth { get; }
    /// <summary>Output channels of a sample.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel rows.</summary>
    public int KernelHeight { get; }
    /// <summary>Kernel columns.</summary>
    public int KernelWidth { get; }
    /// <summary>Input rows between consecutive output rows.</summary>
    public int StrideHeight { get; }
    /// <summary>Input columns between consecutive output columns.</summary>
    public int StrideWidth { get; }
    /// <summary>Zero rows above the input.</summary>
    public int PadTop { get; }
    /// <summary>Zero columns left of the input.</summary>
    public int PadLeft { get; }
    /// <summary>Input rows between consecutive kernel rows (1: dense kernel).</summary>
    public int DilationHeight { get; }
    /// <summary>Input columns between consecutive kernel columns (1: dense kernel).</summary>
    public int DilationWidth { get; }
    /// <summary>Channel groups: output channel oc reads input channels of group oc / (OutChannels / Groups) only.</summary>
    public int Groups { get; }
    /// <summary>Output rows of a channel plane.</summary>
    public int OutHeight { get; }
    /// <summary>Output columns of a channel plane.</summary>
    public int OutWidth { get; }
    /// <summary>Values per input sample: InChannels · InHeight · InWidth.</summary>
    public int InputSize { get; }
    /// <summary>Values per output sample: OutChannels · OutHeight · OutWidth.</summary>
    public int OutputSize { get; }
    /// <summary>Weights: OutChannels · (InChannels / Groups) · KernelHeight · KernelWidth.</summary>
    public int WeightCount { get; }

    /// <summary>
    /// The output length along one axis, floor((input + padBefore + padAfter − dilation · (kernel − 1) − 1) / stride) + 1,
    /// as PyTorch computes it (floor, also for a negative numerator). It is ≤ 0 when the kernel does not fit the padded
    /// input: the caller checks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="kernel"/>, <paramref name="stride"/> or <paramref name="dilation"/> is less than 1, or a pad is negative.
    /// </exception>
    public static long OutputLength(long input, int kernel, int stride, int padBefore, int padAfter, int dilation)
    {
        GeometryChecks.Positive(kernel, nameof(kernel));
        GeometryChecks.Positive(stride, nameof(stride));
        GeometryChecks.Positive(dilation, nameof(dilation));
        KernelChecks.NonNegative(padBefore, nameof(padBefore));
        KernelChecks.NonNegative(padAfter, nameof(padAfter));
        long span = input + padBefore + padAfter - (long)dilation * (kernel - 1) - 1;
        return Math.DivRem(span, stride, out long remainder) + (remainder < 0 ? -1 : 0) + 1;
    }

    /// <summary>Throws if <paramref name="g"/> is <c>default</c> rather than built by the constructor.</summary>
    internal static void CheckConstructed(in ConvGeometry g, string name)
    {
        if (g.Groups == 0)
            throw new ArgumentException("The convolution geometry is uninitialized (default); build it with its constructor.", name);
    }
}

/// <summary>Validation shared by <see cref="ConvGeometry"/> and <see cref="PoolGeometry"/>.</summary>
internal static class GeometryChecks
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="value"/> ≥ 1.</summary>
    public static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; it is {value}.");
    }

    /// <summary>
    /// One spatial axis: sizes, kernel, stride, dilation and output at least 1, pad non-negative, and the dilated
    /// kernel's reach (out − 1) · stride + dilation · (kernel − 1) within <see cref="int.MaxValue"/>, so index
    /// arithmetic in int cannot wrap.
    /// </summary>
    public static void Axis(int input, int kernel, int stride, int pad, int dilation, int output,
        string inputName, string kernelName, string strideName, string padName, string dilationName, string outputName)
    {
        Positive(input, inputName);
        Positive(kernel, kernelName);
        Positive(stride, strideName);
        Positive(dilation, dilationName);
        Positive(output, outputName);
        KernelChecks.NonNegative(pad, padName);
        long reach = (long)(output - 1) * stride + (long)dilation * (kernel - 1);
        if (reach > int.MaxValue)
            throw new ArgumentOutOfRangeException(outputName, output,
                $"({outputName} − 1) · {strideName} + {dilationName} · ({kernelName} − 1) = {reach} exceeds int.MaxValue.");
    }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="outputName"/> unless the output length
    /// fits the input along one axis: the last window's first tap, (output − 1) · stride − pad, is at most
    /// <paramref name="lastStartLimit"/>, and the padding it implies after the input,
    /// (output − 1) · stride + dilation · (kernel − 1) + 1 − input − pad, is at most pad + stride. That admits PyTorch's
    /// symmetric padding (after ≤ pad), its ceil mode (after ≤ pad + stride − 1) and TensorFlow's "same" (after ≤ pad + 1).
    /// </summary>
    public static void Fits(int input, int kernel, int stride, int pad, int dilation, int output, long lastStartLimit, string outputName)
    {
        long start = (long)(output - 1) * stride - pad;
        if (start > lastStartLimit)
            throw new ArgumentOutOfRangeException(outputName, output,
                $"{outputName} = {output} is too large for an input of {input}: its last window starts at {start}, past {lastStartLimit}.");
        long after = start + (long)dilation * (kernel - 1) + 1 - input;
        if (after > (long)pad + stride)
            throw new ArgumentOutOfRangeException(outputName, output,
                $"{outputName} = {output} with a window of {(long)dilation * (kernel - 1) + 1} needs {after} padding after an input of {input}, " +
                $"more than pad + stride = {(long)pad + stride}: the window is larger than the padded input.");
    }

    /// <summary>Returns <paramref name="size"/> as an int, or throws <see cref="ArgumentException"/> if it exceeds <see cref="int.MaxValue"/>.</summary>
    public static int Size(long size, string what)
    {
        if (size > int.MaxValue) throw new ArgumentException($"{what} = {size} exceeds int.MaxValue.");
        return (int)size;
    }
}
