using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// Shapes and parameter counts of declared convolutional networks against numbers worked out by hand
/// from O = floor((W + 2P − D·(K − 1) − 1) / S) + 1 (Same: ceil(W / S)) and against published counts.
/// </summary>
public sealed class ImageShapeTests
{
    [Fact]
    public void LeNet5_HasThePublishedParameterCount()
    {
        // C1 6·(5·5·1 + 1) = 156, C3 16·(5·5·6 + 1) = 2,416, F5 400·120 + 120 = 48,120, F6 120·84 + 84 = 10,164,
        // output 84·10 + 10 = 850: 61,706 (LeCun et al. 1998 with a fully connected C3).
        Assert.Equal(61_706, LeNet5.ParameterCount);
        Assert.Equal((1, 32, 32), (LeNet5.InputChannels, LeNet5.InputHeight, LeNet5.InputWidth));
        Assert.Equal(1024, LeNet5.InputSize);
        Assert.Equal((6, 28, 28), (LeNet5.Conv1OutputChannels, LeNet5.Conv1OutputHeight, LeNet5.Conv1OutputWidth));
        Assert.Equal((6, 14, 14), (LeNet5.Avgpool1OutputChannels, LeNet5.Avgpool1OutputHeight, LeNet5.Avgpool1OutputWidth));
        Assert.Equal((16, 10, 10), (LeNet5.Conv2OutputChannels, LeNet5.Conv2OutputHeight, LeNet5.Conv2OutputWidth));
        Assert.Equal((16, 5, 5), (LeNet5.Avgpool2OutputChannels, LeNet5.Avgpool2OutputHeight, LeNet5.Avgpool2OutputWidth));
        Assert.Equal(400, LeNet5.Flatten1OutputSize);
        Assert.Equal(156, LeNet5.Conv1ParameterCount);
        Assert.Equal(2_416, LeNet5.Conv2ParameterCount);
        Assert.Equal(400, LeNet5.Dense1Inputs);
    }

    [Fact]
    public void VggBlock_HasVgg16sFirstLayerCounts()
    {
        // VGG-16's conv1_1 has 3·3·3·64 + 64 = 1,792 parameters and conv1_2 3·3·64·64 + 64 = 36,928.
        Assert.Equal(1_792, VggBlock.Conv1ParameterCount);
        Assert.Equal(36_928, VggBlock.Conv2ParameterCount);
        Assert.Equal((64, 32, 32), (VggBlock.Conv2OutputChannels, VggBlock.Conv2OutputHeight, VggBlock.Conv2OutputWidth));
        Assert.Equal((64, 16, 16), (VggBlock.Maxpool1OutputChannels, VggBlock.Maxpool1OutputHeight, VggBlock.Maxpool1OutputWidth));
        Assert.Equal(64, VggBlock.Globalavgpool1OutputSize);
        Assert.Equal(1_792 + 36_928 + 64 * 10 + 10, VggBlock.ParameterCount);
        Assert.Equal(64 * 10, new VggBlock().Dense1Weights.Length);
    }

    [Fact]
    public void SamePadding_GivesCeilOfSizeOverStride()
    {
        // 7 / 2 rounded up: 4 (total padding (4 − 1)·2 + 3 − 7 = 2, one on each side).
        Assert.Equal((4, 4, 4), (ImgConvSameStride2.Conv1OutputChannels, ImgConvSameStride2.Conv1OutputHeight, ImgConvSameStride2.Conv1OutputWidth));
        Assert.Equal(4 * (2 * 3 * 3) + 4, ImgConvSameStride2.Conv1ParameterCount);
        Assert.Equal(64, ImgConvSameStride2.Dense1Inputs); // Dense flattens the 4×4×4 image
    }

    [Fact]
    public void PoolingWithPadding_FollowsTheShapeRule()
    {
        // conv pad 1 keeps 8×8; pool 2 → 4×4; Same conv keeps 4×4; pool 3 stride 2 pad 1: floor((4 + 2 − 3) / 2) + 1 = 2.
        Assert.Equal((3, 8, 8), (ImgMaxPools.Conv1OutputChannels, ImgMaxPools.Conv1OutputHeight, ImgMaxPools.Conv1OutputWidth));
        Assert.Equal((3, 4, 4), (ImgMaxPools.Maxpool1OutputChannels, ImgMaxPools.Maxpool1OutputHeight, ImgMaxPools.Maxpool1OutputWidth));
        Assert.Equal((2, 4, 4), (ImgMaxPools.Conv2OutputChannels, ImgMaxPools.Conv2OutputHeight, ImgMaxPools.Conv2OutputWidth));
        Assert.Equal((2, 2, 2), (ImgMaxPools.Maxpool2OutputChannels, ImgMaxPools.Maxpool2OutputHeight, ImgMaxPools.Maxpool2OutputWidth));
        Assert.Equal(8, ImgMaxPools.Flatten1OutputSize);
    }

    [Fact]
    public void DepthwiseRectangularKernel_CountsWeightsPerGroup()
    {
        // 2×3 kernel on 6×7: 5×5; groups = 3 channels, 6 filters: each filter sees 1 channel; no bias.
        Assert.Equal((6, 5, 5), (ImgDepthwiseRect.Conv1OutputChannels, ImgDepthwiseRect.Conv1OutputHeight, ImgDepthwiseRect.Conv1OutputWidth));
        Assert.Equal(6 * 1 * 2 * 3, ImgDepthwiseRect.Conv1ParameterCount);
        // AvgPool 2 with pad 1: floor((5 + 2 − 2) / 2) + 1 = 3.
        Assert.Equal((6, 3, 3), (ImgDepthwiseRect.Avgpool1OutputChannels, ImgDepthwiseRect.Avgpool1OutputHeight, ImgDepthwiseRect.Avgpool1OutputWidth));
    }

    [Fact]
    public void DilatedGroupedConvolution_FollowsTheShapeRule()
    {
        // 7 + 2·1 − 2·(3 − 1) − 1 = 4, / 1 + 1 = 5; weights 4 filters · (4 / 2) channels · 9.
        Assert.Equal((4, 5, 5), (ImgDilatedGroups.Conv1OutputChannels, ImgDilatedGroups.Conv1OutputHeight, ImgDilatedGroups.Conv1OutputWidth));
        Assert.Equal(4 * 2 * 9 + 4, ImgDilatedGroups.Conv1ParameterCount);
        Assert.Equal(3 * 4 + 3, ImgDilatedGroups.Conv2ParameterCount);
    }

    [Fact]
    public void Architecture_NamesTheImageShape()
    {
        Assert.StartsWith("Input(1,32,32) → Conv2D(6,5x5,s1,p0/0,d1,g1,bias,Tanh) → AvgPool(2x2,s2,p0/0)", LeNet5.ArchitectureText);
    }
}
