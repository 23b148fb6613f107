// Networks of the safetensors tests. TorchMlpInterop and TorchBnCnn are the models of
// tests/fixtures/make_safetensors_fixtures.py, layer for layer (the torch modules carry the same names).

namespace Compiled.Tests.Interop;

/// <summary>The MLP of mlp.safetensors: 4 → 6 (tanh) → 3.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 31)]
[Input(4)]
[Dense(6, Activation.Tanh)]
[Dense(3)]
public partial class TorchMlpInterop;

/// <summary>
/// The CNN of cnn_bn.safetensors: conv1 (2→4, 3×3, pad 1) → batchnorm1 → ReLU → 2×2 max pool → conv2 (4→6,
/// 3×3, 2 groups, no bias, tanh) → flatten → dense1 (24→5) → batchnorm2 (per feature) → ReLU → dense2 (5→3).
/// </summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 32)]
[Input(2, 8, 8)]
[Conv2D(4, 3, Pad = 1)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool(2)]
[Conv2D(6, 3, Activation.Tanh, Groups = 2, Bias = false)]
[Flatten]
[Dense(5)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dense(3)]
public partial class TorchBnCnn;

/// <summary>The smallest network with every kind of tensor: a dense layer and a BatchNorm (the known-bytes file).</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 33)]
[Input(2)]
[Dense(2)]
[BatchNorm]
public partial class TinyBn;

/// <summary>
/// The network of deconv_sep.safetensors: sepconv1 (3→4, 3×3, 2 kernels per channel, pad 1) → deconv1
/// (4→2, 3×3, stride 2, pad 1, output pad 1, tanh: 6×6 → 12×12) → dense1 (288→3).
/// </summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 34)]
[Input(3, 6, 6)]
[SeparableConv2D(4, 3, DepthMultiplier = 2, Pad = 1)]
[Conv2DTranspose(2, 3, Activation.Tanh, Stride = 2, Pad = 1, OutputPad = 1)]
[Dense(3)]
public partial class TorchDeconvSep;

/// <summary>
/// The network of prelu_layernorm.safetensors: conv1 (2→3, 3×3) → layernorm1 over 3×3×3 → prelu1 (a slope per channel)
/// → dense1 (27→6) → norm (LayerNorm over 6) → act (one shared slope) → dense2 (6→3).
/// </summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 35)]
[Input(2, 5, 5)]
[Conv2D(3, 3)]
[LayerNorm]
[PReLU]
[Dense(6)]
[LayerNorm(Name = "norm")]
[PReLU(Shared = true, Name = "act")]
[Dense(3)]
public partial class TorchPReLULayerNorm;
