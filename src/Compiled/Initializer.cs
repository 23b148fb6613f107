namespace Compiled;

/// <summary>How a layer's weights are set at construction. Biases always start at zero.</summary>
public enum Initializer
{
    /// <summary>He for the ReLU family (ReLU, leaky ReLU, ELU, softplus, swish), Glorot otherwise.</summary>
    Auto = 0,
    /// <summary>U(−√(6/fanIn), √(6/fanIn)).</summary>
    HeUniform,
    /// <summary>N(0, 2/fanIn).</summary>
    HeNormal,
    /// <summary>U(−√(6/(fanIn+fanOut)), √(6/(fanIn+fanOut))).</summary>
    GlorotUniform,
    /// <summary>N(0, 2/(fanIn+fanOut)).</summary>
    GlorotNormal,
    /// <summary>Every weight 0 (PyTorch's nn.init.zeros_). A layer of zeros only learns if something upstream breaks the symmetry.</summary>
    Zeros,
    /// <summary>
    /// Every weight the attribute's <c>InitialValue</c> (PyTorch's nn.init.constant_), 0 when not given;
    /// the value must be a finite number that a float holds (CMP027).
    /// </summary>
    Constant,
}
