using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Networks;
using Compiled.Tests.Numerics;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// The generated backward pass of every image layer against central finite differences of the
/// generated forward pass (the check of <see cref="GradientCheckTests"/>: all parameters, random batch,
/// biases moved off zero), over the networks of ImageNetworks.cs.
/// </summary>
public sealed class ImageGradientTests
{
    private static readonly IReadOnlyDictionary<string, GradientCase> All = new Dictionary<string, GradientCase>
    {
        ["ImgConvValid"] = new(() => new ImgConvValid(), Loss.SoftmaxCrossEntropy),
        ["ImgConvSameStride2"] = new(() => new ImgConvSameStride2(), Loss.MeanSquaredError),
        ["ImgDilatedGroups"] = new(() => new ImgDilatedGroups(), Loss.BinaryCrossEntropy),
        ["ImgDepthwiseRect"] = new(() => new ImgDepthwiseRect(), Loss.SoftmaxCrossEntropy),
        ["ImgMaxPools"] = new(() => new ImgMaxPools(), Loss.MeanSquaredError),
        ["ImgAvgGlobal"] = new(() => new ImgAvgGlobal(), Loss.SoftmaxCrossEntropy),
        ["ImgActivationLayer"] = new(() => new ImgActivationLayer(), Loss.MultiLabelBinaryCrossEntropy),
        ["ImgDeconv"] = new(() => new ImgDeconv(), Loss.SoftmaxCrossEntropy),
        ["ImgSeparable"] = new(() => new ImgSeparable(), Loss.MeanSquaredError),
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys.OrderBy(k => k, StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string name)
    {
        Assert.Null(GradientCheckTests.CheckAvoidingKinks(name, All[name], seed: 777UL, batch: 3));
    }
}
