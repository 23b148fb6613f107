// Convolutional networks declared for the image tests, generated exactly as in a user's project.
// Small on purpose (finite differences perturb every parameter), yet wide enough that the activation
// loops run their Vector256 bodies and tails (outputs of 27 to 150 values per sample).

namespace Compiled.Tests.Images;

/// <summary>Valid 3×3 convolution, tanh, explicit Flatten, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 11)]
[Input(2, 6, 6)]
[Conv2D(3, 3, Activation.Tanh)]
[Flatten]
[Dense(2)]
public partial class ImgConvValid;

/// <summary>Stride 2 with Same padding (7 → 4, the extra row and column of padding at the bottom and right), implicit flatten.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 12)]
[Input(2, 7, 7)]
[Conv2D(4, 3, Activation.Sigmoid, Stride = 2, Padding = Padding.Same)]
[Dense(3)]
public partial class ImgConvSameStride2;

/// <summary>Dilation 2 and two channel groups, ELU, then a 1×1 convolution; binary cross-entropy.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 13)]
[Input(4, 7, 7)]
[Conv2D(4, 3, Activation.ELU, Dilation = 2, Groups = 2, Pad = 1)]
[Conv2D(3, 1, Activation.Softplus)]
[Dense(1)]
public partial class ImgDilatedGroups;

/// <summary>Depthwise (groups = channels, 2 filters each) rectangular 2×3 kernel without bias, swish; average pooling with padding.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 14)]
[Input(3, 6, 7)]
[Conv2D(6, KernelHeight = 2, KernelWidth = 3, Groups = 3, Bias = false, Activation = Activation.Swish)]
[AvgPool(2, Pad = 1)]
[Dense(3)]
public partial class ImgDepthwiseRect;

/// <summary>Two max-pooling layers (non-overlapping, then 3×3 stride 2 with padding), leaky ReLU, Same convolution.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 15)]
[Input(1, 8, 8)]
[Conv2D(3, 3, Activation.LeakyReLU, Pad = 1)]
[MaxPool(2)]
[Conv2D(2, 3, Activation.Tanh, Padding = Padding.Same)]
[MaxPool(3, Stride = 2, Pad = 1)]
[Flatten]
[Dense(2)]
public partial class ImgMaxPools;

/// <summary>ReLU convolution, overlapping Same average pooling, global average pooling, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 16)]
[Input(2, 6, 6)]
[Conv2D(5, 3, Activation.ReLU, Padding = Padding.Same)]
[AvgPool(3, Stride = 2, Padding = Padding.Same)]
[GlobalAveragePool]
[Dense(3)]
public partial class ImgAvgGlobal;

/// <summary>An activation layer on an image (softplus over 2×3×3), multi-label output.</summary>
[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 17)]
[Input(1, 5, 5)]
[Conv2D(2, 3)]
[Activation(Activation.Softplus)]
[Flatten]
[Dense(2)]
public partial class ImgActivationLayer;

/// <summary>The end-to-end network of tests/fixtures/make_image_fixtures.py (cnn_end_to_end.json).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(1, 8, 8)]
[Conv2D(4, 3, Activation.ReLU, Pad = 1)]
[MaxPool(2)]
[Conv2D(6, 3, Activation.Tanh)]
[Flatten]
[Dense(3)]
public partial class TorchCnnMax;

/// <summary>The end-to-end network of cnn_end_to_end_avg.json: average pooling, a stride-2 padded convolution.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(1, 8, 8)]
[Conv2D(4, 3, Activation.ReLU, Pad = 1)]
[AvgPool(2)]
[Conv2D(6, 3, Activation.Tanh, Stride = 2, Pad = 1)]
[Flatten]
[Dense(3)]
public partial class TorchCnnAvg;

/// <summary>LeNet-5 (LeCun et al. 1998, with full C3 connections): 61,706 parameters.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(1, 32, 32)]
[Conv2D(6, 5, Activation.Tanh)]
[AvgPool(2)]
[Conv2D(16, 5, Activation.Tanh)]
[AvgPool(2)]
[Flatten]
[Dense(120, Activation.Tanh)]
[Dense(84, Activation.Tanh)]
[Dense(10)]
public partial class LeNet5;

/// <summary>VGG-16's first block on CIFAR-sized images: 3→64 and 64→64 3×3 Same convolutions (1,792 + 36,928 parameters).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(3, 32, 32)]
[Conv2D(64, 3, Activation.ReLU, Padding = Padding.Same)]
[Conv2D(64, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[GlobalAveragePool]
[Dense(10)]
public partial class VggBlock;

/// <summary>A small CNN for the UCI digits (8×8 images): Same 3×3 convolution, max pooling, dropout, dense.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 21)]
[Input(1, 8, 8)]
[Conv2D(12, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same)]
[Dropout(0.2)]
[Dense(10)]
public partial class DigitsConvNet;

/// <summary>BatchNorm alone over 4×5×5 images (the batchnorm_2d fixture); MSE lets a test inject any upstream gradient.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 5, 5)]
[BatchNorm]
public partial class TorchBatchNorm2d;

/// <summary>BatchNorm alone over 7 features (the batchnorm_1d fixture).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[BatchNorm]
public partial class TorchBatchNorm1d;

/// <summary>BatchNorm per channel after a bias-free convolution and per feature after a dense layer.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 18)]
[Input(2, 6, 6)]
[Conv2D(4, 3, Bias = false)]
[BatchNorm(Momentum = 0.2)]
[Activation(Activation.Tanh)]
[MaxPool(2)]
[Dense(6)]
[BatchNorm(Epsilon = 1e-3)]
[Activation(Activation.Swish)]
[Dense(3)]
public partial class ImgBatchNorm;

/// <summary>Digits as vectors with BatchNorm after the hidden layer (early-stopping test).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(64)]
[Dense(32)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dense(10)]
public partial class DigitsBatchNormNet;

/// <summary>Transposed convolution 3→4, 3×3, stride 2, pad 1, output pad 1: 4×4 → 8×8 (fixture convtranspose_s2_pad1_op1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 4, 4)]
[Conv2DTranspose(4, 3, Stride = 2, Pad = 1, OutputPad = 1)]
public partial class TorchDeconvS2;

/// <summary>Transposed convolution with Same padding: 3×4 → 6×8 (fixture convtranspose_same_s2).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(2, 3, 4)]
[Conv2DTranspose(3, 3, Stride = 2, Padding = Padding.Same)]
public partial class TorchDeconvSame;

/// <summary>Grouped, dilated transposed convolution without bias (fixture convtranspose_groups_dilation).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 4, 4)]
[Conv2DTranspose(6, 3, Pad = 1, Dilation = 2, Groups = 2, Bias = false)]
public partial class TorchDeconvGroups;

/// <summary>Separable convolution, 2 depthwise kernels per channel, then 1×1 to 4 (fixture separable_s1_pad1).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 5, 5)]
[SeparableConv2D(4, 3, DepthMultiplier = 2, Pad = 1)]
public partial class TorchSeparable;

/// <summary>Down with a Same convolution, up with two transposed convolutions (explicit with output pad, then Same).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 19)]
[Input(2, 5, 5)]
[Conv2D(3, 3, Activation.Tanh, Stride = 2, Padding = Padding.Same)]
[Conv2DTranspose(2, 3, Activation.ELU, Stride = 2, Pad = 1, OutputPad = 1)]
[Conv2DTranspose(2, 2, Activation.Sigmoid, Stride = 2, Padding = Padding.Same)]
[Dense(3)]
public partial class ImgDeconv;

/// <summary>Two separable convolutions (stride 2 Same with 2 kernels per channel; then without bias).</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 20)]
[Input(3, 6, 6)]
[SeparableConv2D(5, 3, Activation.Swish, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same)]
[SeparableConv2D(2, 2, Activation.Tanh, Bias = false)]
[Dense(2)]
public partial class ImgSeparable;

/// <summary>Label smoothing 0.2 on a small classifier (gradient check of the smoothed loss).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, LabelSmoothing = 0.2, Seed = 23)]
[Input(5)]
[Dense(7, Activation.Tanh)]
[Dense(4)]
public partial class SmoothedClassifier;

/// <summary>Label smoothing with the softmax as the last layer (fused into the loss).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, LabelSmoothing = 0.1, Seed = 24)]
[Input(5)]
[Dense(4, Activation.Softmax)]
public partial class SmoothedSoftmaxOutput;
