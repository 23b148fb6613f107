using System;
using System.Collections.Generic;
using System.Globalization;

namespace Compiled.Tests.Numerics;

/// <summary>
/// An independent, naive double-precision forward pass of a generated network, rebuilt from its
/// <see cref="INetwork.Architecture"/> text and its parameter buffer: the oracle for the generated
/// float code (its outputs, its loss and, through central differences in double, its gradients).
/// Dropout is the identity here, so only networks without an active dropout compare.
/// </summary>
internal sealed class DoubleReference
{
    private readonly List<(string Kind, int Units, string Activation, double Alpha)> _layers = new();
    private readonly int _inputs;

    public DoubleReference(string architecture)
    {
        // "Input(5) → Dense(6,LeakyReLU(0.2)) → Activation(Tanh) → Dropout → Dense(3,Identity)"
        var parts = architecture.Split(" → ");
        _inputs = int.Parse(parts[0]["Input(".Length..^1], CultureInfo.InvariantCulture);
        for (int i = 1; i < parts.Length; i++)
        {
            string p = parts[i];
            if (p == "Dropout") { _layers.Add(("Dropout", 0, "Identity", 0)); continue; }
            string inner = p[(p.IndexOf('(') + 1)..^1];
            if (p.StartsWith("Dense(", StringComparison.Ordinal))
            {
                int comma = inner.IndexOf(',');
                var (act, alpha) = Activation(inner[(comma + 1)..]);
                _layers.Add(("Dense", int.Parse(inner[..comma], CultureInfo.InvariantCulture), act, alpha));
            }
            else
            {
                var (act, alpha) = Activation(inner);
                _layers.Add(("Activation", 0, act, alpha));
            }
        }
    }

    private static (string, double) Activation(string text)
    {
        int open = text.IndexOf('(');
        return open < 0 ? (text, 0) : (text[..open], double.Parse(text[(open + 1)..^1], CultureInfo.InvariantCulture));
    }

    /// <summary>The last layer's activation, which the cross-entropy losses may consume.</summary>
    public string LastActivation => _layers[^1].Kind == "Dropout" ? "Identity" : _layers[^1].Activation;

    /// <summary>Outputs of one sample.</summary>
    public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<float> input) => Trace(parameters, input)[^1].Y;

    /// <summary>
    /// Every layer of one sample's forward pass: its input x, pre-activation z (x for activation and
    /// dropout layers) and output y; the last entry's y is the network's output.
    /// </summary>
    private List<(double[] X, double[] Z, double[] Y)> Trace(ReadOnlySpan<double> parameters, ReadOnlySpan<float> input)
    {
        var x = new double[_inputs];
        for (int i = 0; i < x.Length; i++) x[i] = input[i];
        var trace = new List<(double[] X, double[] Z, double[] Y)>(_layers.Count + 1) { (x, x, x) };
        int offset = 0;
        foreach (var (kind, units, activation, alpha) in _layers)
        {
            var z = x;
            if (kind == "Dense")
            {
                z = new double[units];
                for (int j = 0; j < units; j++)
                {
                    double sum = parameters[offset + units * x.Length + j]; // bias
                    for (int k = 0; k < x.Length; k++) sum += parameters[offset + j * x.Length + k] * x[k];
                    z[j] = sum;
                }
                offset += units * x.Length + units;
            }
            var y = kind == "Dropout" ? z : Apply(activation, alpha, z);
            trace.Add((x, z, y));
            x = y;
        }
        return trace;
    }

    /// <summary>
    /// Where each dense layer's parameters sit in the buffer: weights [units × inputs] row-major, then the
    /// bias. The same layout <see cref="Forward"/> reads.
    /// </summary>
    public IReadOnlyList<(int WeightsOffset, int WeightsCount, int BiasOffset, int BiasCount)> DenseLayout
    {
        get
        {
            var layout = new List<(int, int, int, int)>();
            int offset = 0, width = _inputs;
            foreach (var (kind, units, _, _) in _layers)
            {
                if (kind != "Dense") continue;
                layout.Add((offset, units * width, offset + units * width, units));
                offset += units * width + units;
                width = units;
            }
            return layout;
        }
    }

    /// <summary>
    /// The exact gradient of <see cref="Loss"/> with respect to every parameter, by backpropagation in
    /// double, written from each function's textbook derivative (independently of the generated code;
    /// the tests check it against central differences of <see cref="Loss"/> on a sample of parameters).
    /// </summary>
    public double[] Gradient(Loss loss, ReadOnlySpan<double> parameters, float[] inputs, float[] targets, int batch)
    {
        var gradient = new double[parameters.Length];
        for (int b = 0; b < batch; b++)
        {
            var trace = Trace(parameters, inputs.AsSpan(b * _inputs, _inputs));
            var y = trace[^1].Y;
            int n = y.Length;
            // ∂L/∂y for this sample's output, with L the batch mean of Loss.
            var dy = new double[n];
            switch (loss)
            {
                case Compiled.Loss.MeanSquaredError:
                    for (int j = 0; j < n; j++) dy[j] = 2 * (y[j] - targets[b * n + j]) / (batch * n);
                    break;
                case Compiled.Loss.SoftmaxCrossEntropy:
                {
                    int label = (int)targets[b];
                    if (LastActivation == "Softmax") dy[label] = -1 / (y[label] * batch); // −log y_label
                    else
                    {
                        var p = Apply("Softmax", 0, y); // −log softmax(y)_label
                        for (int j = 0; j < n; j++) dy[j] = (p[j] - (j == label ? 1 : 0)) / batch;
                    }
                    break;
                }
                default:
                    for (int j = 0; j < n; j++)
                    {
                        double t = targets[b * n + j];
                        if (LastActivation == "Sigmoid") dy[j] = (-t / y[j] + (1 - t) / (1 - y[j])) / (batch * n);
                        else
                        {
                            double p = 1 / (1 + Math.Exp(-y[j]));
                            dy[j] = (p - t) / (batch * n);
                        }
                    }
                    break;
            }

            // Backward through the layers, last to first; parameter offsets counted down from the end.
            int end = parameters.Length;
            for (int l = _layers.Count - 1; l >= 0; l--)
            {
                var (kind, units, activation, alpha) = _layers[l];
                var (x, z, yl) = trace[l + 1];
                var dz = kind == "Dropout" ? dy : Derivative(activation, alpha, z, yl, dy);
                if (kind != "Dense") { dy = dz; continue; }
                int weights = end - units - units * x.Length, bias = end - units;
                var dx = new double[x.Length];
                for (int j = 0; j < units; j++)
                {
                    gradient[bias + j] += dz[j];
                    for (int k = 0; k < x.Length; k++)
                    {
                        gradient[weights + j * x.Length + k] += dz[j] * x[k];
                        dx[k] += parameters[weights + j * x.Length + k] * dz[j];
                    }
                }
                end = weights;
                dy = dx;
            }
        }
        return gradient;
    }

    /// <summary>dz = dy · f′(z) (for softmax, the Jacobian product), from the definitions in <see cref="Apply"/>.</summary>
    private static double[] Derivative(string activation, double alpha, double[] z, double[] y, double[] dy)
    {
        var dz = new double[z.Length];
        if (activation == "Softmax")
        {
            double dot = 0;
            for (int i = 0; i < z.Length; i++) dot += dy[i] * y[i];
            for (int i = 0; i < z.Length; i++) dz[i] = y[i] * (dy[i] - dot);
            return dz;
        }
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i], s = 1 / (1 + Math.Exp(-v));
            dz[i] = dy[i] * activation switch
            {
                "Identity" => 1,
                "Sigmoid" => s * (1 - s),
                "Tanh" => 1 - Math.Tanh(v) * Math.Tanh(v),
                "ReLU" => v > 0 ? 1 : 0,
                "LeakyReLU" => v > 0 ? 1 : alpha,
                "ELU" => v > 0 ? 1 : alpha * Math.Exp(v),
                "Softplus" => s,
                "Swish" => s + v * s * (1 - s),
                _ => throw new ArgumentException("Unknown activation " + activation),
            };
        }
        return dz;
    }

    private static double[] Apply(string activation, double alpha, double[] z)
    {
        var y = new double[z.Length];
        if (activation == "Softmax")
        {
            double max = double.NegativeInfinity, sum = 0;
            foreach (var v in z) max = Math.Max(max, v);
            for (int i = 0; i < z.Length; i++) sum += y[i] = Math.Exp(z[i] - max);
            for (int i = 0; i < z.Length; i++) y[i] /= sum;
            return y;
        }
        for (int i = 0; i < z.Length; i++)
        {
            double v = z[i], s = 1 / (1 + Math.Exp(-v));
            y[i] = activation switch
            {
                "Identity" => v,
                "Sigmoid" => s,
                "Tanh" => Math.Tanh(v),
                "ReLU" => Math.Max(0, v),
                "LeakyReLU" => v > 0 ? v : alpha * v,
                "ELU" => v > 0 ? v : alpha * (Math.Exp(v) - 1),
                "Softplus" => Math.Log(1 + Math.Exp(v)),
                "Swish" => v * s,
                _ => throw new ArgumentException("Unknown activation " + activation),
            };
        }
        return y;
    }

    /// <summary>Mean loss over a batch, straight from each loss's definition.</summary>
    public double Loss(Loss loss, ReadOnlySpan<double> parameters, float[] inputs, float[] targets, int batch)
    {
        double total = 0;
        int outputs = 0;
        for (int b = 0; b < batch; b++)
        {
            var y = Forward(parameters, inputs.AsSpan(b * _inputs, _inputs));
            outputs = y.Length;
            switch (loss)
            {
                case Compiled.Loss.MeanSquaredError:
                    for (int j = 0; j < y.Length; j++) total += (y[j] - targets[b * y.Length + j]) * (y[j] - targets[b * y.Length + j]);
                    break;
                case Compiled.Loss.SoftmaxCrossEntropy:
                {
                    int label = (int)targets[b];
                    var p = LastActivation == "Softmax" ? y : Apply("Softmax", 0, y);
                    total += -Math.Log(p[label]);
                    break;
                }
                default: // binary and multi-label cross-entropy, per output
                    for (int j = 0; j < y.Length; j++)
                    {
                        double p = LastActivation == "Sigmoid" ? y[j] : 1 / (1 + Math.Exp(-y[j]));
                        double t = targets[b * y.Length + j];
                        total += -(t * Math.Log(p) + (1 - t) * Math.Log(1 - p));
                    }
                    break;
            }
        }
        return loss == Compiled.Loss.SoftmaxCrossEntropy ? total / batch : total / (batch * outputs);
    }
}
