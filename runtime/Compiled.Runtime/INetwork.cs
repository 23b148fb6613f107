using System;
using System.Collections.Generic;

namespace Compiled;

/// <summary>
/// What every generated network offers to the runtime (the <see cref="Trainer"/>, serialization,
/// tools). Generated classes implement it; user code normally calls the generated members directly.
/// </summary>
public interface INetwork
{
    /// <summary>Features per input sample.</summary>
    int InputSize { get; }

    /// <summary>Values per output sample.</summary>
    int OutputSize { get; }

    /// <summary>Values per target sample: 1 (the class index) for softmax cross-entropy, else <see cref="OutputSize"/>.</summary>
    int TargetSize { get; }

    /// <summary>Number of trainable parameters.</summary>
    int ParameterCount { get; }

    /// <summary>A description of the architecture; weight files carry its hash so a mismatch is caught on load.</summary>
    string Architecture { get; }

    /// <summary>All parameters, in one contiguous buffer (layer by layer: weights then bias).</summary>
    Span<float> Parameters { get; }

    /// <summary>The gradient of the last training step's loss, laid out like <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }

    /// <summary>
    /// State saved with the parameters but not trained by the optimizer: the running statistics of
    /// BatchNorm layers (empty for networks without any). Weight files and early stopping keep it with
    /// <see cref="Parameters"/>.
    /// </summary>
    Span<float> State => Span<float>.Empty;

    /// <summary>
    /// The network's tensors in declaration order, named and shaped as PyTorch's <c>state_dict</c> of the
    /// equivalent <c>torch.nn</c> model (<c>dense1.weight</c> [out, in], <c>bn1.running_mean</c>, …), each with
    /// where its values are in <see cref="Parameters"/> or <see cref="State"/>. Together they cover both
    /// buffers exactly once. <see cref="Safetensors"/> reads and writes by this table.
    /// </summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>
    /// The generator of the network's training-time randomness (its dropout masks), or null when it has none. Training
    /// checkpoints save and restore its state so that a resumed run draws the masks an uninterrupted one would.
    /// </summary>
    Rng? TrainingRandom => null;

    /// <summary>
    /// The layers in declaration order, each with its kind, input and output shapes, activation and resolved
    /// window: the graph that <see cref="Onnx"/> exports (with the weights of <see cref="Tensors"/>). Generated
    /// networks list every layer; the default, for other implementations, is empty (nothing to export).
    /// </summary>
    IReadOnlyList<LayerInfo> Layers => Array.Empty<LayerInfo>();

    /// <summary>
    /// One training step on a minibatch of <c>inputs.Length / InputSize</c> samples: forward, loss,
    /// backward, then <paramref name="optimizer"/> updates the parameters. Returns the batch's mean loss.
    /// When the loss or a gradient is NaN or infinite the update is skipped, leaving the parameters and
    /// the optimizer as they were, and the result is NaN or infinite.
    /// </summary>
    float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Optimizer optimizer);

    /// <summary>
    /// Forward (training mode) and backward pass without an update: fills <see cref="Gradients"/> with
    /// the gradient of the batch's mean loss and returns that loss.
    /// </summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);

    /// <summary>Predicts <c>inputs.Length / InputSize</c> samples into <paramref name="outputs"/>. Thread-safe.</summary>
    void Predict(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>Mean loss and accuracy of the network on the given samples, in inference mode.</summary>
    EvaluationResult Evaluate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets);
}
