using System;

namespace Compiled;

/// <summary>
/// Marks a <c>partial</c> class as a network. The layer attributes on the same declaration, read in
/// source order, define it; the Compiled generator emits the class's body at build time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>The training objective. Required.</summary>
    public Loss Loss { get; set; }

    /// <summary>The seed used by the parameterless constructor (initialization and dropout masks).</summary>
    public long Seed { get; set; }

    /// <summary>The default weight initialization of every layer.</summary>
    public Initializer Initializer { get; set; }

    /// <summary>
    /// With <see cref="Initializer"/> = <see cref="Compiled.Initializer.Constant"/>: the value of every weight of the layers that
    /// take the network's initializer. A finite number; given with any other initializer it is an error (CMP027).
    /// </summary>
    public double InitialValue { get; set; }

    /// <summary>
    /// Softmax cross-entropy only: trains toward (1 − ε)·onehot(label) + ε/classes instead of the one-hot
    /// label (PyTorch's label_smoothing; 0, the default, is off; 0.1 is common). Evaluate reports the same smoothed loss.
    /// </summary>
    public double LabelSmoothing { get; set; }
}

/// <summary>
/// The shape of one input sample: a vector, <c>[Input(features)]</c>, or an image, <c>[Input(channels, height, width)]</c>
/// stored channel by channel, row by row (NCHW per sample, PyTorch's layout).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the input shape, outermost dimension first.</summary>
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The declared dimensions.</summary>
    public int[] Shape { get; }
}

/// <summary>A fully connected layer: y = f(x·Wᵀ + b), with W of shape [units, inputs].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer of <paramref name="units"/> outputs and an optional fused activation.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Identity)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>Activation applied to x·Wᵀ + b.</summary>
    public Activation Activation { get; }

    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> (default 0.01) or α of <see cref="Activation.ELU"/> (default 1).</summary>
    public double Alpha { get; set; }

    /// <summary>The layer's name, used for its parameter views (default: dense1, dense2, …).</summary>
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

/// <summary>An activation as a layer of its own: y = f(x), same shape as its input.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : Attribute
{
    /// <summary>Declares an activation layer.</summary>
    public ActivationAttribute(Activation function) => Function = function;

    /// <summary>The function applied.</summary>
    public Activation Function { get; }

    /// <summary>Slope of <see cref="Activation.LeakyReLU"/> (default 0.01) or α of <see cref="Activation.ELU"/> (default 1).</summary>
    public double Alpha { get; set; }

    /// <summary>The layer's name (default: activation1, activation2, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Inverted dropout: in training each input is zeroed with probability <see cref="Rate"/> and the
/// survivors are scaled by 1 / (1 − rate); at inference it is the identity.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares a dropout layer; <paramref name="rate"/> must lie in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>Probability of dropping each input during training.</summary>
    public double Rate { get; }

    /// <summary>The layer's name (default: dropout1, dropout2, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Layer normalization, PyTorch's nn.LayerNorm over the whole shape of a sample: a vector's features, or an image's
/// C×H×W values (normalized_shape = [C, H, W]). y = γ ⊙ (x − μ)/√(σ² + ε) + β with the sample's mean and biased
/// variance, in training and inference alike (no running statistics). γ (starting at 1) and β (at 0) have one value
/// per normalized value, [F] or [C, H, W], stored as the layer's weight and bias (<c>layernorm1.weight</c>, <c>layernorm1.bias</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : Attribute
{
    /// <summary>Added to the variance before the square root (default 1e-5, PyTorch's); a number above 0 that a float holds.</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>The layer's name (default: layernorm1, layernorm2, …).</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Parametric ReLU, PyTorch's nn.PReLU: y = x for x &gt; 0, a·x otherwise, with the slope a learned. One slope per
/// channel of an image or per feature of a vector (PyTorch's num_parameters = C), or one for the whole layer with
/// <see cref="Shared"/> (num_parameters = 1). The slopes are the layer's weight, [C] or [1] (state_dict
/// <c>prelu1.weight</c>), in the parameter buffer like any other weight: the optimizer trains them (weight decay
/// included, as PyTorch's optimizers do unless told otherwise).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PReLUAttribute : Attribute
{
    /// <summary>One slope for every channel (PyTorch's default num_parameters = 1) instead of one per channel or feature.</summary>
    public bool Shared { get; set; }

    /// <summary>The slopes' starting value (default 0.25, PyTorch's); a finite number (CMP027).</summary>
    public double InitialValue { get; set; } = 0.25;

    /// <summary>The layer's name (default: prelu1, prelu2, …).</summary>
    public string? Name { get; set; }
}
