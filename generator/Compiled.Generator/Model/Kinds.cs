namespace Compiled.Generator.Model;

// Mirrors of the public enums in Compiled (src/Compiled): the values must stay identical, since the
// parser reads the attribute arguments as their underlying integers.

internal enum ActivationKind { Identity = 0, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, Swish, Softmax }

internal enum LossKind { None = 0, MeanSquaredError = 1, BinaryCrossEntropy, SoftmaxCrossEntropy, MultiLabelBinaryCrossEntropy }

internal enum InitializerKind { Auto = 0, HeUniform, HeNormal, GlorotUniform, GlorotNormal, Zeros, Constant }

internal enum LayerKind { Dense, Activation, Dropout, Conv2D, MaxPool, AvgPool, GlobalAveragePool, Flatten, BatchNorm, Conv2DTranspose, SeparableConv2D, PReLU, LayerNorm }

internal enum PaddingKind { Valid = 0, Same }
