using System;

namespace Compiled.Kernels;

/// <summary>
/// Geometry of 2-D pooling over NCHW samples: each of <see cref="Channels"/> planes of <see cref="InHeight"/> ×
/// <see cref="InWidth"/> is pooled on its own into <see cref="OutHeight"/> × <see cref="OutWidth"/>. Output row oh
/// covers input rows [oh · StrideHeight − PadTop, oh · StrideHeight − PadTop + WindowHeight) (likewise for columns).
/// Windows may extend past the input by <see cref="PadTop"/>/<see cref="PadLeft"/> and an implicit bottom/right pad;
/// only their in-bounds elements take part.
/// </summary>
public readonly struct PoolGeometry
{
    /// <summary>Validates and stores a pooling geometry.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A size, window or stride is less than 1, a pad is negative, some window would hold no in-bounds element (the
    /// first window needs pad ≤ window − 1, the last (out − 1) · stride − pad ≤ input − 1), or the windows need more
    /// implicit bottom (right) padding than pad + stride: (out − 1) · stride + window − input − pad ≤ pad + stride.
    /// </exception>
    /// <exception cref="ArgumentException">Channels · InHeight · InWidth or Channels · OutHeight · OutWidth exceeds <see cref="int.MaxValue"/>.</exception>
    public PoolGeometry(int channels, int inHeight, int inWidth, int windowHeight, int windowWidth,
        int strideHeight, int strideWidth, int padTop, int padLeft, int outHeight, int outWidth)
    {
        GeometryChecks.Positive(channels, nameof(channels));
        GeometryChecks.Axis(inHeight, windowHeight, strideHeight, padTop, 1, outHeight,
            nameof(inHeight), nameof(windowHeight), nameof(strideHeight), nameof(padTop), "dilation", nameof(outHeight));
        GeometryChecks.Axis(inWidth, windowWidth, strideWidth, padLeft, 1, outWidth,
            nameof(inWidth), nameof(windowWidth), nameof(strideWidth), nameof(padLeft), "dilation", nameof(outWidth));
        // Windows start at increasing positions and are contiguous, so if the first ends inside the input and the last
        // starts inside it, every window holds an in-bounds element.
        if (padTop >= windowHeight)
            throw new ArgumentOutOfRangeException(nameof(padTop), padTop,
                $"{nameof(padTop)} = {padTop} leaves the first window ({nameof(windowHeight)} = {windowHeight}) entirely in the padding.");
        if (padLeft >= windowWidth)
            throw new ArgumentOutOfRangeException(nameof(padLeft), padLeft,
                $"{nameof(padLeft)} = {padLeft} leaves the first window ({nameof(windowWidth)} = {windowWidth}) entirely in the padding.");
        GeometryChecks.Fits(inHeight, windowHeight, strideHeight, padTop, 1, outHeight, inHeight - 1L, nameof(outHeight));
        GeometryChecks.Fits(inWidth, windowWidth, strideWidth, padLeft, 1, outWidth, inWidth - 1L, nameof(outWidth));

        Channels = channels; InHeight = inHeight; InWidth = inWidth; WindowHeight = windowHeight; WindowWidth = windowWidth;
        StrideHeight = strideHeight; StrideWidth = strideWidth; PadTop = padTop; PadLeft = padLeft;
        OutHeight = outHeight; OutWidth = outWidth;
        InputSize = GeometryChecks.Size((long)channels * inHeight * inWidth, "InputSize = Channels · InHeight · InWidth");
        OutputSize = GeometryChecks.Size((long)channels * outHeight * outWidth, "OutputSize = Channels · OutHeight · OutWidth");
    }

    /// <summary>Channel planes of a sample (pooled independently).</summary>
    public int Channels { get; }
    /// <summary>Input rows of a plane.</summary>
    public int InHeight { get; }
    /// <summary>Input columns of a plane.</summary>
    public int InWidth { get; }
    /// <summary>Window rows.</summary>
    public int WindowHeight { get; }
    /// <summary>Window columns.</summary>
    public int WindowWidth { get; }
    /// <summary>Input rows between consecutive windows.</summary>
    public int StrideHeight { get; }
    /// <summary>Input columns between consecutive windows.</summary>
    public int StrideWidth { get; }
    /// <summary>Rows by which the first window extends above the input.</summary>
    public int PadTop { get; }
    /// <summary>Columns by which the first window extends left of the input.</summary>
    public int PadLeft { get; }
    /// <summary>Output rows of a plane.</summary>
    public int OutHeight { get; }
    /// <summary>Output columns of a plane.</summary>
    public int OutWidth { get; }
    /// <summary>Values per input sample: Channels · InHeight · InWidth.</summary>
    public int InputSize { get; }
    /// <summary>Values per output sample: Channels · OutHeight · OutWidth.</summary>
    public int OutputSize { get; }

    /// <summary>Throws if <paramref name="g"/> is <c>default</c> rather than built by the constructor.</summary>
    internal static void CheckConstructed(in PoolGeometry g, string name)
    {
        if (g.Channels == 0)
            throw new ArgumentException("The pooling geometry is uninitialized (default); build it with its constructor.", name);
    }
}
