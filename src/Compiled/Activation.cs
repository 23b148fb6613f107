namespace Compiled;

/// <summary>An element-wise (or, for <see cref="Softmax"/>, row-wise) activation function.</summary>
public enum Activation
{
    /// <summary>y = x.</summary>
    Identity = 0,
    /// <summary>y = 1 / (1 + e^−x).</summary>
    Sigmoid,
    /// <summary>y = tanh x.</summary>
    Tanh,
    /// <summary>y = max(0, x).</summary>
    ReLU,
    /// <summary>y = x for x &gt; 0, α·x otherwise; α is the layer's <c>Alpha</c> (default 0.01).</summary>
    LeakyReLU,
    /// <summary>y = x for x &gt; 0, α·(e^x − 1) otherwise; α is the layer's <c>Alpha</c> (default 1).</summary>
    ELU,
    /// <summary>y = ln(1 + e^x).</summary>
    Softplus,
    /// <summary>y = x · sigmoid(x) (also called SiLU).</summary>
    Swish,
    /// <summary>y_i = e^{x_i} / Σ_j e^{x_j}, over each sample's features.</summary>
    Softmax,
}
