namespace Compiled;

/// <summary>How a layer's weights are drawn at construction. Biases always start at zero.</summary>
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
}
