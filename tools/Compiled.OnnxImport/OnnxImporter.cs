using System;
using System.Collections.Generic;
using System.Linq;

namespace Compiled.OnnxImport;

/// <summary>
/// Walks an ONNX graph from its single input to its single output, a chain of nodes, and turns each node (or a few
/// together: a convolution and its activation, MatMul and Add, a depthwise and a 1×1 convolution) into a layer of
/// a Compiled declaration. Whatever the chain holds that Compiled cannot compute exactly is an
/// <see cref="ImportException"/> naming the node, its operator and why.
/// </summary>
public sealed class OnnxImporter
{
    /// <summary>The operators the importer reads (docs/interop-onnx-import.md).</summary>
    public static readonly string[] SupportedOperators =
    {
        "Gemm", "MatMul", "Add (after MatMul)", "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
        "Flatten", "Reshape (to [N, -1], and back after activations)", "BatchNormalization", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Softplus",
        "Softmax", "Sigmoid + Mul (swish)", "Dropout", "Identity", "Constant", "Pad (of zeros)",
    };

    private readonly OnnxModel _model;
    private readonly Dictionary<string, OnnxTensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<OnnxNode> _visited = new();
    private readonly HashSet<string> _usedInitializers = new(StringComparer.Ordinal);
    private readonly List<ImportedLayer> _layers = new();
    private readonly List<string> _skipped = new();

    /// <summary>The image each Flatten layer flattened.</summary>
    private readonly Dictionary<ImportedLayer, int[]> _flattened = new();

    /// <summary>The current value's shape per sample: [F] or [C, H, W].</summary>
    private int[] _shape = Array.Empty<int>();

    /// <summary>After GlobalAveragePool: ONNX holds [C, 1, 1], Compiled the vector [C] (<see cref="_shape"/>).</summary>
    private bool _pooled;

    private OnnxImporter(OnnxModel model) => _model = model;

    /// <summary>Imports <paramref name="model"/>.</summary>
    /// <exception cref="ImportException">Something in the graph has no exact Compiled form; the message names the node and why.</exception>
    public static ImportedNetwork Import(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new OnnxImporter(model).Run();
    }

    private ImportedNetwork Run()
    {
        if (_model.Opset == 0) throw new ImportException("The model imports no opset of the default ONNX domain.");
        if (_model.Opset < 7) throw new ImportException($"The model uses opset {_model.Opset}; the importer reads opset 7 and later.");
        foreach (var tensor in _model.Initializers)
            if (!_constants.TryAdd(tensor.Name, tensor)) throw new ImportException($"The graph has two initializers named '{tensor.Name}'.");
        foreach (var node in _model.Nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
                throw new ImportException(node, $"its domain '{node.Domain}' is not the default ONNX domain");
            if (node.OpType == "Identity" && node.Inputs.Count == 1 && node.Outputs.Count == 1 && _constants.TryGetValue(node.Inputs[0], out var alias))
            {
                // An exporter's alias of one initializer under another name (PyTorch shares equal tensors so).
                _constants[node.Outputs[0]] = alias;
                _usedInitializers.Add(node.Inputs[0]);
                _visited.Add(node);
                continue;
            }
            if (node.OpType == "Constant")
            {
                if (node.Outputs.Count != 1) throw new ImportException(node, "a Constant must have one output");
                var value = node.Attributes.TryGetValue("value", out var v) ? v.Tensor(node) : throw new ImportException(node, "only a Constant with a tensor 'value' is supported");
                _constants[node.Outputs[0]] = value;
                _visited.Add(node);
                continue;
            }
            foreach (string used in node.Inputs.Where(i => i.Length > 0).Distinct())
            {
                if (!_consumers.TryGetValue(used, out var list)) _consumers[used] = list = new List<OnnxNode>();
                list.Add(node);
            }
        }

        var inputs = _model.Inputs.Where(i => !_constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new ImportException($"The graph has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); a Compiled network has one.");
        if (_model.Outputs.Count != 1)
            throw new ImportException($"The graph has {_model.Outputs.Count} outputs; a Compiled network has one.");
        var input = inputs[0];
        var output = _model.Outputs[0];
        int[] inputShape = SampleShape(input, "input");
        _shape = inputShape;

        string x = input.Name;
        while (x != output.Name)
        {
            var users = Consumers(x);
            if (users.Count == 0)
                throw new ImportException($"The value '{x}' feeds no node and is not the graph's output '{output.Name}': the chain from the input does not reach the output.");
            if (users.Count == 2 && Swish(x, users) is { } mul)
            {
                x = mul;
                continue;
            }
            if (users.Count > 1)
                throw new ImportException($"The value '{x}' feeds {users.Count} nodes ({string.Join(", ", users.Select(u => $"{u.OpType} '{u.Name}'"))}): a branch; a Compiled network is a chain of layers.");
            x = Step(users[0], x);
        }
        var stray = _model.Nodes.Where(n => !_visited.Contains(n)).ToList();
        if (stray.Count > 0)
            throw new ImportException(stray[0], "it is not on the chain from the graph's input to its output (a branch, or a computation Compiled has no layer for)");
        CheckOutput(output);
        var unused = _model.Initializers.Select(i => i.Name).Where(n => !_usedInitializers.Contains(n)).ToList();
        return new ImportedNetwork(_model, inputShape, _shape, _layers, _skipped, unused);
    }

    private List<OnnxNode> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list.Where(n => !_visited.Contains(n)).ToList() : new List<OnnxNode>();

    /// <summary>The one consumer of <paramref name="value"/>, or null when it has none or several.</summary>
    private OnnxNode? SoleConsumer(string value)
    {
        var users = Consumers(value);
        return users.Count == 1 ? users[0] : null;
    }

    private static int[] SampleShape(OnnxValue value, string what)
    {
        if (value.ElementType != OnnxTensor.FloatType)
            throw new ImportException($"The graph's {what} '{value.Name}' is {OnnxTensor.DataTypeName(value.ElementType)}, not float32.");
        if (value.Dims is not { Length: 2 or 4 } dims || dims.Skip(1).Any(d => d is null or < 1 or > int.MaxValue))
            throw new ImportException($"The graph's {what} '{value.Name}' has the shape {value.ShapeText}; Compiled needs [N, features] or [N, C, H, W] with fixed sizes after the batch.");
        return dims.Skip(1).Select(d => (int)d!.Value).ToArray();
    }

    private void CheckOutput(OnnxValue output)
    {
        if (output.Dims is null) return;
        var onnx = output.Dims.Skip(1).ToArray();
        int[] expected = _pooled ? new[] { _shape[0], 1, 1 } : _shape;
        if (onnx.Length != expected.Length || onnx.Zip(expected).Any(p => p.First is { } d && d != p.Second))
            throw new ImportException($"The graph's output '{output.Name}' is declared {output.ShapeText}, but the layers give [N, {string.Join(", ", expected)}].");
    }

    /// <summary>Imports <paramref name="node"/>, which reads <paramref name="x"/>; returns the value it leaves for the next.</summary>
    private string Step(OnnxNode node, string x)
    {
        _visited.Add(node);
        if (node.Inputs.Count == 0 || node.Inputs[0] != x)
            throw new ImportException(node, $"it reads '{x}' as another input than its first");
        if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0) throw new ImportException(node, "it has no output");
        for (int i = 1; i < node.Outputs.Count; i++)
            if (node.Outputs[i].Length > 0 && Consumers(node.Outputs[i]).Count > 0)
                throw new ImportException(node, $"its output '{node.Outputs[i]}' is used; Compiled computes only the first");
        switch (node.OpType)
        {
            case "Identity":
                _skipped.Add($"{node.OpType} '{node.Name}' (nothing to compute)");
                break;
            case "Dropout":
                if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0
                    && (!_constants.TryGetValue(node.Inputs[2], out var mode) || mode.Int64s is not { Length: 1 } || mode.Int64s[0] != 0))
                    throw new ImportException(node, "its training_mode is not a constant false");
                _skipped.Add($"{node.OpType} '{node.Name}' (the identity at inference)");
                break;
            case "Relu": Activate(node, "ReLU", 0); break;
            case "Sigmoid": Activate(node, "Sigmoid", 0); break;
            case "Tanh": Activate(node, "Tanh", 0); break;
            case "Softplus": Activate(node, "Softplus", 0); break;
            case "LeakyRelu":
            {
                float alpha = node.Float("alpha", 0.01f);
                if (alpha == 0) Activate(node, "ReLU", 0);
                else Activate(node, "LeakyReLU", alpha);
                break;
            }
            case "Elu":
            {
                float alpha = node.Float("alpha", 1f);
                if (alpha == 0) Activate(node, "ReLU", 0);
                else Activate(node, "ELU", alpha);
                break;
            }
            case "Softmax": Softmax(node); break;
            case "Pad": Pad(node); break;
            case "Gemm": Gemm(node); break;
            case "MatMul": return MatMul(node);
            case "Conv": return Conv(node);
            case "ConvTranspose": ConvTranspose(node); break;
            case "MaxPool":
            case "AveragePool":
                Pool(node);
                break;
            case "GlobalAveragePool":
                RequireImage(node);
                _layers.Add(new ImportedLayer(LayerKind.GlobalAveragePool, node));
                _shape = new[] { _shape[0] };
                _pooled = true;
                break;
            case "Flatten": Flatten(node); break;
            case "Reshape": Reshape(node); break;
            case "BatchNormalization": BatchNorm(node); break;
            default:
                throw new ImportException(node, $"the operator {node.OpType} has no Compiled layer (supported: {string.Join(", ", SupportedOperators)})");
        }
        return node.Outputs[0];
    }

    /// <summary>Sigmoid(x) and Mul(x, Sigmoid(x)), PyTorch's and Compiled's ONNX form of swish; returns Mul's output.</summary>
    private string? Swish(string x, List<OnnxNode> users)
    {
        var sigmoid = users.FirstOrDefault(u => u.OpType == "Sigmoid");
        var mul = users.FirstOrDefault(u => u.OpType == "Mul");
        if (sigmoid is null || mul is null || sigmoid.Outputs.Count != 1 || mul.Inputs.Count != 2 || mul.Outputs.Count != 1) return null;
        var pair = new HashSet<string>(mul.Inputs);
        if (!pair.SetEquals(new[] { x, sigmoid.Outputs[0] }) || Consumers(sigmoid.Outputs[0]).Count != 1) return null;
        _visited.Add(sigmoid);
        _visited.Add(mul);
        Activate(sigmoid, "Swish", 0, mul);
        return mul.Outputs[0];
    }

    /// <summary>
    /// An activation: fused into the layer before when that layer takes one and has none yet (Dense, the convolutions),
    /// else an Activation layer.
    /// </summary>
    private void Activate(OnnxNode node, string activation, float alpha, OnnxNode? second = null)
    {
        var last = _layers.Count > 0 ? _layers[^1] : null;
        if (last is not null && last.Kind != LayerKind.Activation && last.Activates && last.Activation == "Identity")
        {
            last.Activation = activation;
            last.Alpha = alpha;
            last.Nodes.Add(node);
            if (second is not null) last.Nodes.Add(second);
            return;
        }
        var layer = new ImportedLayer(LayerKind.Activation, node) { Activation = activation, Alpha = alpha };
        if (second is not null) layer.Nodes.Add(second);
        _layers.Add(layer);
    }

    private void Softmax(OnnxNode node)
    {
        // Before opset 13, Softmax flattens from its axis (default 1) and normalizes over the rest: over all of a
        // sample's values with axis 1, which is Compiled's softmax on a vector and on an image. From 13 it
        // normalizes along one axis (default −1): Compiled's only on a vector.
        int rank = _pooled || _shape.Length == 3 ? 4 : 2;
        long axis = node.Int("axis", _model.Opset >= 13 ? -1 : 1);
        if (axis < 0) axis += rank;
        bool whole = axis == 1 && (_model.Opset < 13 || rank == 2 || _pooled);
        if (!whole)
            throw new ImportException(node, $"it normalizes along axis {node.Int("axis", _model.Opset >= 13 ? -1 : 1)} of a rank-{rank} tensor (opset {_model.Opset}); Compiled's softmax runs over all of a sample's values");
        Activate(node, "Softmax", 0);
    }

    private void RequireImage(OnnxNode node)
    {
        if (_shape.Length != 3 || _pooled)
            throw new ImportException(node, $"its input is [N, {string.Join(", ", _pooled ? new[] { _shape[0], 1, 1 } : _shape)}] after {(_pooled ? "GlobalAveragePool (a vector in Compiled)" : "a vector layer")}; Compiled applies it to images [N, C, H, W]");
    }

    private void RequireVector(OnnxNode node)
    {
        if (_shape.Length != 1 || _pooled)
            throw new ImportException(node, $"its input has the shape [N, {string.Join(", ", _pooled ? new[] { _shape[0], 1, 1 } : _shape)}]; it needs [N, features] (a Flatten first)");
    }

    /// <summary>A float initializer (or Constant) of <paramref name="node"/>'s input <paramref name="index"/>; null when omitted.</summary>
    private OnnxTensor? Weight(OnnxNode node, int index, string what)
    {
        if (index >= node.Inputs.Count || node.Inputs[index].Length == 0) return null;
        string name = node.Inputs[index];
        if (!_constants.TryGetValue(name, out var tensor))
            throw new ImportException(node, $"its {what} '{name}' is computed in the graph, not an initializer");
        if (tensor.DataType != OnnxTensor.FloatType || tensor.Floats is null)
            throw new ImportException(node, $"its {what} '{name}' is {OnnxTensor.DataTypeName(tensor.DataType)}; Compiled's weights are float32");
        _usedInitializers.Add(name);
        return tensor;
    }

    private OnnxTensor RequiredWeight(OnnxNode node, int index, string what) =>
        Weight(node, index, what) ?? throw new ImportException(node, $"it has no {what}");

    private static void Record(ImportedLayer layer, OnnxTensor? tensor)
    {
        if (tensor is not null && tensor.Name.Length > 0 && !layer.Initializers.Contains(tensor.Name)) layer.Initializers.Add(tensor.Name);
    }

    /// <summary>A bias of <paramref name="count"/> values, [count] or [1, count]; zeros when the node has none.</summary>
    private float[] Bias(OnnxNode node, OnnxTensor? bias, int count, string what)
    {
        if (bias is null) return new float[count];
        bool shaped = bias.Dims.Length == 1 && bias.Dims[0] == count || bias.Dims.Length == 2 && bias.Dims[0] == 1 && bias.Dims[1] == count;
        if (!shaped)
            throw new ImportException(node, $"its {what} '{bias.Name}' has the shape [{string.Join(", ", bias.Dims)}], not [{count}]");
        return bias.Floats!;
    }

    private void Gemm(OnnxNode node)
    {
        RequireVector(node);
        if (node.Int("transA", 0) != 0) throw new ImportException(node, "transA = 1 (the input transposed) has no Compiled form");
        if (node.Float("alpha", 1f) != 1f || node.Float("beta", 1f) != 1f)
            throw new ImportException(node, $"alpha = {node.Float("alpha", 1f)} and beta = {node.Float("beta", 1f)}: Compiled's Dense computes x·Wᵀ + b (alpha = beta = 1)");
        var b = RequiredWeight(node, 1, "weight");
        bool transB = node.Int("transB", 0) != 0;
        var c = Weight(node, 2, "bias");
        AddDense(node, b, transB, c);
    }

    /// <summary>MatMul(x, W) and, when the product's only use is Add(·, b) with a constant b, that Add as the bias.</summary>
    private string MatMul(OnnxNode node)
    {
        RequireVector(node);
        var w = RequiredWeight(node, 1, "weight");
        string y = node.Outputs[0];
        OnnxTensor? bias = null;
        OnnxNode? add = SoleConsumer(y) is { OpType: "Add" } next && next.Inputs.Count == 2 ? next : null;
        if (add is not null)
        {
            string other = add.Inputs[0] == y ? add.Inputs[1] : add.Inputs[0];
            if (_constants.ContainsKey(other) && (add.Inputs[0] == y || add.Inputs[1] == y))
            {
                _visited.Add(add);
                bias = RequiredWeight(add, add.Inputs.IndexOf(other), "bias");
            }
            else add = null;
        }
        var layer = AddDense(node, w, transposed: false, bias);
        if (add is not null)
        {
            layer.Nodes.Add(add);
            return add.Outputs[0];
        }
        return y;
    }

    private ImportedLayer AddDense(OnnxNode node, OnnxTensor weight, bool transposed, OnnxTensor? bias)
    {
        if (weight.Dims.Length != 2) throw new ImportException(node, $"its weight '{weight.Name}' has {weight.Dims.Length} dimensions, not 2");
        int inputs = (int)(transposed ? weight.Dims[1] : weight.Dims[0]);
        int units = (int)(transposed ? weight.Dims[0] : weight.Dims[1]);
        if (inputs != _shape[0]) throw new ImportException(node, $"its weight '{weight.Name}' [{string.Join(", ", weight.Dims)}] takes {inputs} inputs, but the input has {_shape[0]} features");
        if (units < 1) throw new ImportException(node, "it has no outputs");
        // Compiled's Dense weight is [units, inputs] (PyTorch's Linear): Gemm's B with transB = 1 as it is, else transposed.
        float[] values = weight.Floats!;
        if (!transposed)
        {
            var t = new float[values.Length];
            for (int i = 0; i < inputs; i++)
                for (int o = 0; o < units; o++) t[o * inputs + i] = values[i * units + o];
            values = t;
        }
        var layer = new ImportedLayer(LayerKind.Dense, node) { Units = units };
        layer.Tensors.Add(new ImportedTensor("weight", new[] { units, inputs }, TensorStore.Parameters, values));
        layer.Tensors.Add(new ImportedTensor("bias", new[] { units }, TensorStore.Parameters, Bias(node, bias, units, "bias")));
        Record(layer, weight);
        Record(layer, bias);
        _layers.Add(layer);
        _shape = new[] { units };
        return layer;
    }

    /// <summary>strides, dilations: ONNX gives one per axis, Compiled one for both.</summary>
    private static int Uniform(OnnxNode node, string attribute)
    {
        var values = node.Ints(attribute);
        if (values is null || values.Count == 0) return 1;
        if (values.Count != 2) throw new ImportException(node, $"its {attribute} has {values.Count} values; Compiled's windows are 2-D");
        if (values[0] != values[1] || values[0] < 1 || values[0] > int.MaxValue)
            throw new ImportException(node, $"its {attribute} are [{values[0]}, {values[1]}]; Compiled takes the same positive value along both axes");
        return (int)values[0];
    }

    /// <summary>ONNX's pads [top, left, bottom, right] after auto_pad: what the node pads each side with.</summary>
    private static (long Top, long Left, long Bottom, long Right) Pads(OnnxNode node, int height, int width, int kh, int kw, int stride, int dilation)
    {
        string autoPad = node.String("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
            {
                var pads = node.Ints("pads");
                if (pads is null || pads.Count == 0) return (0, 0, 0, 0);
                if (pads.Count != 4) throw new ImportException(node, $"its pads have {pads.Count} values; Compiled's windows are 2-D");
                if (pads.Any(p => p < 0 || p > int.MaxValue)) throw new ImportException(node, $"its pads [{string.Join(", ", pads)}] are negative (cropping has no Compiled form)");
                return (pads[0], pads[1], pads[2], pads[3]);
            }
            case "VALID":
                return (0, 0, 0, 0);
            case "SAME_UPPER":
            case "SAME_LOWER":
            {
                bool upper = autoPad == "SAME_UPPER";
                var (top, bottom) = SameSplit(height, kh, stride, dilation, upper);
                var (left, right) = SameSplit(width, kw, stride, dilation, upper);
                return (top, left, bottom, right);
            }
            default:
                throw new ImportException(node, $"its auto_pad is '{autoPad}'");
        }
    }

    /// <summary>Same padding along one axis: total max((⌈W/S⌉ − 1)·S + D·(K − 1) + 1 − W, 0), the odd one after (upper) or before.</summary>
    private static (long Before, long After) SameSplit(long input, int kernel, int stride, int dilation, bool upper)
    {
        long output = (input + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + (long)dilation * (kernel - 1) + 1 - input, 0);
        long small = total / 2;
        return upper ? (small, total - small) : (total - small, small);
    }

    /// <summary>ONNX's output length of a convolution or pooling window (floor): ⌊(W + pads − D·(K − 1) − 1) / S⌋ + 1.</summary>
    private static long Length(long input, long pads, int kernel, int stride, int dilation)
    {
        long reach = input + pads - ((long)dilation * (kernel - 1) + 1);
        return reach < 0 ? 0 : reach / stride + 1;
    }

    /// <summary>
    /// How Compiled writes the padding ONNX gives: nothing, <c>Pad</c>/<c>PadHeight</c>/<c>PadWidth</c> (the same on both
    /// sides, Compiled's own rule giving the same output), or <c>Padding.Same</c> (TensorFlow's split). Windows start at
    /// the same place and are as many in each case, so the values are the same; anything else is refused. Returns the
    /// output size too.
    /// </summary>
    private (bool Same, int PadHeight, int PadWidth, int OutHeight, int OutWidth) Window(OnnxNode node, int kh, int kw, int stride, int dilation, bool pool)
    {
        int height = _shape[1], width = _shape[2];
        var pads = Pads(node, height, width, kh, kw, stride, dilation);
        long outH = Length(height, pads.Top + pads.Bottom, kh, stride, dilation);
        long outW = Length(width, pads.Left + pads.Right, kw, stride, dilation);
        if (outH < 1 || outW < 1)
            throw new ImportException(node, $"its window gives an empty output from {height}×{width}");
        string given = $"pads [{pads.Top}, {pads.Left}, {pads.Bottom}, {pads.Right}] (top, left, bottom, right)";
        // Compiled's explicit padding: P on both sides of an axis; the output Compiled computes from it must be ONNX's.
        bool explicitFits = Length(height, 2 * pads.Top, kh, stride, dilation) == outH && Length(width, 2 * pads.Left, kw, stride, dilation) == outW
            && (!pool || pads.Top == pads.Left) && pads.Top <= int.MaxValue && pads.Left <= int.MaxValue;
        bool symmetric = pads.Top == pads.Bottom && pads.Left == pads.Right;
        var (sameTop, _) = SameSplit(height, kh, stride, dilation, upper: true);
        var (sameLeft, _) = SameSplit(width, kw, stride, dilation, upper: true);
        bool sameFits = pads.Top == sameTop && pads.Left == sameLeft
            && outH == (height + stride - 1) / stride && outW == (width + stride - 1) / stride;
        if (symmetric && explicitFits || explicitFits && !sameFits)
            return (false, (int)pads.Top, (int)pads.Left, (int)outH, (int)outW);
        if (sameFits) return (true, 0, 0, (int)outH, (int)outW);
        throw new ImportException(node, pool && pads.Top != pads.Left && Length(height, 2 * pads.Top, kh, stride, dilation) == outH
            ? $"its {given} differ between rows and columns; Compiled's pooling takes one Pad for both"
            : $"its {given} are neither the same on both sides of an axis nor TensorFlow's Same split, the two paddings Compiled has");
    }

    private string Conv(OnnxNode node)
    {
        RequireImage(node);
        var w = RequiredWeight(node, 1, "weight");
        if (w.Dims.Length != 4) throw new ImportException(node, $"its weight '{w.Name}' has {w.Dims.Length} dimensions; Compiled's Conv2D is 2-D ([M, C/group, kH, kW])");
        int channels = _shape[0];
        long group = node.Int("group", 1);
        int filters = (int)w.Dims[0], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (group < 1 || channels % group != 0 || filters % group != 0 || w.Dims[1] * group != channels)
            throw new ImportException(node, $"its weight [{string.Join(", ", w.Dims)}] with group = {group} does not fit {channels} input channels");
        CheckKernelShape(node, kh, kw);
        int stride = Uniform(node, "strides"), dilation = Uniform(node, "dilations");
        var bias = Weight(node, 2, "bias");
        var (same, padH, padW, outH, outW) = Window(node, kh, kw, stride, dilation, pool: false);

        // A depthwise convolution without bias whose only use is a 1×1 convolution: Compiled's SeparableConv2D.
        if (group == channels && bias is null && kh == kw && (same || padH == padW)
            && SoleConsumer(node.Outputs[0]) is { OpType: "Conv" } pointwise && pointwise.Inputs[0] == node.Outputs[0] && Pointwise(pointwise, filters) is { } pw)
        {
            _visited.Add(pointwise);
            var pwBias = Weight(pointwise, 2, "bias");
            var separable = new ImportedLayer(LayerKind.SeparableConv2D, node)
            {
                Units = (int)pw.Dims[0], KernelHeight = kh, KernelWidth = kw, DepthMultiplier = filters / channels, Stride = stride,
                Dilation = dilation, Same = same, PadHeight = padH, PadWidth = padW, Bias = pwBias is not null,
            };
            separable.Nodes.Add(pointwise);
            separable.Tensors.Add(new ImportedTensor("depthwise.weight", w.Shape, TensorStore.Parameters, w.Floats!));
            separable.Tensors.Add(new ImportedTensor("pointwise.weight", pw.Shape, TensorStore.Parameters, pw.Floats!));
            if (pwBias is not null)
                separable.Tensors.Add(new ImportedTensor("pointwise.bias", new[] { (int)pw.Dims[0] }, TensorStore.Parameters, Bias(pointwise, pwBias, (int)pw.Dims[0], "bias")));
            Record(separable, w);
            Record(separable, pw);
            Record(separable, pwBias);
            _layers.Add(separable);
            _shape = new[] { (int)pw.Dims[0], outH, outW };
            return pointwise.Outputs[0];
        }

        var layer = new ImportedLayer(LayerKind.Conv2D, node)
        {
            Units = filters, KernelHeight = kh, KernelWidth = kw, Stride = stride, Dilation = dilation, Groups = (int)group,
            Same = same, PadHeight = padH, PadWidth = padW, Bias = bias is not null,
        };
        layer.Tensors.Add(new ImportedTensor("weight", w.Shape, TensorStore.Parameters, w.Floats!));
        if (bias is not null) layer.Tensors.Add(new ImportedTensor("bias", new[] { filters }, TensorStore.Parameters, Bias(node, bias, filters, "bias")));
        Record(layer, w);
        Record(layer, bias);
        _layers.Add(layer);
        _shape = new[] { filters, outH, outW };
        return node.Outputs[0];
    }

    /// <summary>The weight of a plain 1×1 convolution of <paramref name="channels"/> inputs (stride 1, no padding, one group); null otherwise.</summary>
    private OnnxTensor? Pointwise(OnnxNode node, int channels)
    {
        if (node.Inputs.Count < 2 || !_constants.TryGetValue(node.Inputs[1], out var w) || w.DataType != OnnxTensor.FloatType) return null;
        bool plain = w.Dims.Length == 4 && w.Dims[1] == channels && w.Dims[2] == 1 && w.Dims[3] == 1
            && node.Int("group", 1) == 1 && (node.Ints("strides") ?? Array.Empty<long>()).All(s => s == 1)
            && (node.Ints("pads") ?? Array.Empty<long>()).All(p => p == 0) && node.String("auto_pad", "NOTSET") is "NOTSET" or "VALID"
            && (node.Ints("kernel_shape") ?? new long[] { 1, 1 }).All(k => k == 1)
            && (node.Inputs.Count < 3 || node.Inputs[2].Length == 0 || _constants.ContainsKey(node.Inputs[2]));
        if (!plain) return null;
        _usedInitializers.Add(w.Name);
        return w;
    }

    private static void CheckKernelShape(OnnxNode node, int kh, int kw)
    {
        var kernel = node.Ints("kernel_shape");
        if (kernel is not null && (kernel.Count != 2 || kernel[0] != kh || kernel[1] != kw))
            throw new ImportException(node, $"its kernel_shape [{string.Join(", ", kernel)}] is not its weight's {kh}×{kw}");
    }

    private void ConvTranspose(OnnxNode node)
    {
        RequireImage(node);
        var w = RequiredWeight(node, 1, "weight");
        if (w.Dims.Length != 4) throw new ImportException(node, $"its weight '{w.Name}' has {w.Dims.Length} dimensions; Compiled's Conv2DTranspose is 2-D ([C, M/group, kH, kW])");
        int channels = _shape[0], height = _shape[1], width = _shape[2];
        long group = node.Int("group", 1);
        if (group < 1 || w.Dims[0] != channels || channels % group != 0)
            throw new ImportException(node, $"its weight [{string.Join(", ", w.Dims)}] with group = {group} does not fit {channels} input channels");
        int filters = (int)(w.Dims[1] * group), kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        CheckKernelShape(node, kh, kw);
        if (node.Ints("output_shape") is { Count: > 0 })
            throw new ImportException(node, "it gives output_shape; Compiled's Conv2DTranspose takes pads and output_padding (export with those)");
        if (node.String("auto_pad", "NOTSET") is not ("NOTSET" or "VALID"))
            throw new ImportException(node, $"its auto_pad is '{node.String("auto_pad", "")}'; only explicit pads are imported for ConvTranspose");
        int stride = Uniform(node, "strides"), dilation = Uniform(node, "dilations");
        var pads = node.String("auto_pad", "NOTSET") == "VALID" ? null : node.Ints("pads");
        long top = 0, left = 0, bottom = 0, right = 0;
        if (pads is { Count: > 0 })
        {
            if (pads.Count != 4 || pads.Any(p => p < 0)) throw new ImportException(node, $"its pads [{string.Join(", ", pads)}] are not four values of 0 or more");
            (top, left, bottom, right) = (pads[0], pads[1], pads[2], pads[3]);
        }
        var outputPadding = node.Ints("output_padding") ?? Array.Empty<long>();
        long opH = outputPadding.Count > 0 ? outputPadding[0] : 0, opW = outputPadding.Count > 1 ? outputPadding[1] : 0;
        long spanH = (long)dilation * (kh - 1) + 1, spanW = (long)dilation * (kw - 1) + 1;
        long outH = (height - 1L) * stride + spanH + opH - top - bottom;
        long outW = (width - 1L) * stride + spanW + opW - left - right;
        if (outH < 1 || outW < 1) throw new ImportException(node, "its output is empty");
        // Compiled's explicit form: cut P from both sides, then OutputPad rows and columns (one value for both axes).
        long explicitH = outH - ((height - 1L) * stride - 2 * top + spanH);
        long explicitW = outW - ((width - 1L) * stride - 2 * left + spanW);
        bool explicitFits = explicitH == explicitW && explicitH >= 0 && explicitH < stride && top <= int.MaxValue && left <= int.MaxValue;
        // Same: output input × stride, cut as the Same convolution that maps it back pads.
        bool sameFits = outH == (long)height * stride && outW == (long)width * stride
            && top == SameSplit(outH, kh, stride, dilation, upper: true).Before && left == SameSplit(outW, kw, stride, dilation, upper: true).Before;
        if (!explicitFits && !sameFits)
            throw new ImportException(node, $"its pads [{top}, {left}, {bottom}, {right}] and output_padding [{opH}, {opW}] give {outH}×{outW}, which neither Compiled's Pad with one OutputPad nor Same gives");
        var bias = Weight(node, 2, "bias");
        var layer = new ImportedLayer(LayerKind.Conv2DTranspose, node)
        {
            Units = filters, KernelHeight = kh, KernelWidth = kw, Stride = stride, Dilation = dilation, Groups = (int)group,
            Same = !explicitFits, PadHeight = explicitFits ? (int)top : 0, PadWidth = explicitFits ? (int)left : 0,
            OutputPad = explicitFits ? (int)explicitH : 0, Bias = bias is not null,
        };
        layer.Tensors.Add(new ImportedTensor("weight", w.Shape, TensorStore.Parameters, w.Floats!));
        if (bias is not null) layer.Tensors.Add(new ImportedTensor("bias", new[] { filters }, TensorStore.Parameters, Bias(node, bias, filters, "bias")));
        Record(layer, w);
        Record(layer, bias);
        _layers.Add(layer);
        _shape = new[] { filters, (int)outH, (int)outW };
    }

    private void Pool(OnnxNode node)
    {
        RequireImage(node);
        bool max = node.OpType == "MaxPool";
        var kernel = node.Ints("kernel_shape");
        if (kernel is not { Count: 2 } || kernel[0] != kernel[1] || kernel[0] < 1 || kernel[0] > int.MaxValue)
            throw new ImportException(node, $"its kernel_shape [{string.Join(", ", kernel ?? Array.Empty<long>())}] is not square; Compiled's pooling windows are k×k");
        int k = (int)kernel[0];
        int stride = Uniform(node, "strides"), dilation = Uniform(node, "dilations");
        if (dilation != 1) throw new ImportException(node, $"its dilations are {dilation}; Compiled's pooling windows are contiguous");
        if (node.Int("storage_order", 0) != 0) throw new ImportException(node, "storage_order = 1");
        var (same, padH, padW, outH, outW) = Window(node, k, k, stride, 1, pool: true);
        if (node.Int("ceil_mode", 0) != 0)
        {
            var pads = Pads(node, _shape[1], _shape[2], k, k, stride, 1);
            if (CeilLength(_shape[1], pads.Top + pads.Bottom, k, stride, pads.Top) != outH || CeilLength(_shape[2], pads.Left + pads.Right, k, stride, pads.Left) != outW)
                throw new ImportException(node, "ceil_mode = 1 adds a window here; Compiled rounds the output size down");
        }
        if (!max && node.Int("count_include_pad", 0) != 0)
        {
            var pads = Pads(node, _shape[1], _shape[2], k, k, stride, 1);
            if (pads != (0, 0, 0, 0))
                throw new ImportException(node, "count_include_pad = 1 divides by the padded window; Compiled's AvgPool (like PyTorch's count_include_pad=False) counts only the image");
        }
        _layers.Add(new ImportedLayer(max ? LayerKind.MaxPool : LayerKind.AvgPool, node)
        {
            KernelHeight = k, KernelWidth = k, Stride = stride, Same = same, PadHeight = padH, PadWidth = padW,
        });
        _shape = new[] { _shape[0], outH, outW };
    }

    /// <summary>ONNX's output length with ceil_mode: ⌈(W + pads − K) / S⌉ + 1, less one when the last window would start in the padding after.</summary>
    private static long CeilLength(long input, long pads, int kernel, int stride, long before)
    {
        long reach = input + pads - kernel;
        if (reach < 0) return 0;
        long count = (reach + stride - 1) / stride + 1;
        if ((count - 1) * stride >= input + before) count--;
        return count;
    }

    /// <summary>A Pad that pads nothing (PyTorch writes one before an average pooling that counts padding): skipped.</summary>
    private void Pad(OnnxNode node)
    {
        IReadOnlyList<long>? pads = node.Ints("pads");
        if (node.Inputs.Count > 1 && node.Inputs[1].Length > 0)
        {
            if (!_constants.TryGetValue(node.Inputs[1], out var tensor) || tensor.Int64s is null)
                throw new ImportException(node, "its pads are computed in the graph, not a constant");
            _usedInitializers.Add(node.Inputs[1]);
            pads = tensor.Int64s;
        }
        if (pads is null || pads.Any(p => p != 0))
            throw new ImportException(node, $"it pads [{string.Join(", ", pads ?? Array.Empty<long>())}]; Compiled pads only inside a convolution or pooling layer (give the layer its pads)");
        if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0) _usedInitializers.Add(node.Inputs[2]);
        _skipped.Add($"{node.OpType} '{node.Name}' (pads nothing)");
    }

    private void Flatten(OnnxNode node)
    {
        int rank = _pooled || _shape.Length == 3 ? 4 : 2;
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += rank;
        if (axis != 1) throw new ImportException(node, $"its axis is {node.Int("axis", 1)}; Compiled flattens each sample (axis 1)");
        Flat(node);
    }

    /// <summary>[N, C, H, W] to [N, C·H·W]: a Flatten layer on an image; nothing on a vector or after global pooling.</summary>
    private void Flat(OnnxNode node)
    {
        if (_pooled) _pooled = false;
        else if (_shape.Length == 3)
        {
            var layer = new ImportedLayer(LayerKind.Flatten, node);
            _flattened[layer] = _shape;
            _layers.Add(layer);
            _shape = new[] { _shape[0] * _shape[1] * _shape[2] };
        }
        else _skipped.Add($"{node.OpType} '{node.Name}' (a vector stays a vector)");
    }

    private void Reshape(OnnxNode node)
    {
        if (node.Inputs.Count < 2 || !_constants.TryGetValue(node.Inputs[1], out var target) || target.Int64s is null)
            throw new ImportException(node, "its shape is computed in the graph, not a constant (export with a fixed shape, or use Flatten)");
        _usedInitializers.Add(node.Inputs[1]);
        long features = _shape.Aggregate(1L, (a, b) => a * b);
        var s = target.Int64s;
        bool flat = s.Length == 2 && s[0] is 0 or -1 && (s[1] == -1 || s[1] == features) && !(s[0] == -1 && s[1] == -1);
        if (flat)
        {
            Flat(node);
            return;
        }
        if (!Unflatten(node, s))
            throw new ImportException(node, $"it reshapes to [{string.Join(", ", s)}]; the reshapes Compiled has are the flatten to [N, -1] ([N, {features}]) and its undoing after activations");
    }

    /// <summary>
    /// A Reshape back to the image a Flatten layer flattened, with only activations between: elementwise, or a
    /// softmax over the whole sample, they give the same values on the image, so the Flatten is dropped and the
    /// activations apply to the image. (This is how an ONNX graph, Compiled's export among them, writes a softmax
    /// over all of an image's values: Flatten, Softmax, Reshape.)
    /// </summary>
    private bool Unflatten(OnnxNode node, long[] shape)
    {
        int at = _layers.FindLastIndex(l => l.Kind == LayerKind.Flatten);
        if (at < 0 || _pooled || _shape.Length != 1 || shape.Length != 4 || shape[0] is not (0 or -1)) return false;
        int[] image = _flattened[_layers[at]];
        if (!shape.Skip(1).SequenceEqual(image.Select(d => (long)d)) || _layers.Skip(at + 1).Any(l => l.Kind != LayerKind.Activation)) return false;
        var flatten = _layers[at];
        _layers.RemoveAt(at);
        if (at < _layers.Count)
        {
            _layers[at].Nodes.Insert(0, flatten.Nodes[0]);
            _layers[^1].Nodes.Add(node);
        }
        else _skipped.Add($"{flatten.Nodes[0].OpType} '{flatten.Nodes[0].Name}' and {node.OpType} '{node.Name}' (they undo each other)");
        _shape = image;
        return true;
    }

    private void BatchNorm(OnnxNode node)
    {
        if (_model.Opset < 9 && node.Int("spatial", 1) != 1) throw new ImportException(node, "spatial = 0 (statistics per value) has no Compiled form");
        if (node.Int("training_mode", 0) != 0) throw new ImportException(node, "training_mode = 1: the model normalizes with batch statistics");
        int channels = _shape[0];
        var names = new[] { "weight", "bias", "running_mean", "running_var" };
        var onnxNames = new[] { "scale", "B", "input_mean", "input_var" };
        var layer = new ImportedLayer(LayerKind.BatchNorm, node)
        {
            Epsilon = node.Float("epsilon", 1e-5f),
            Momentum = node.Attributes.ContainsKey("momentum") ? CompiledMomentum(node.Float("momentum", 0.9f)) : null,
        };
        for (int i = 0; i < 4; i++)
        {
            var tensor = RequiredWeight(node, i + 1, onnxNames[i]);
            if (tensor.Count != channels || tensor.Dims.Length != 1)
                throw new ImportException(node, $"its {onnxNames[i]} '{tensor.Name}' has the shape [{string.Join(", ", tensor.Dims)}], not [{channels}]");
            layer.Tensors.Add(new ImportedTensor(names[i], new[] { channels }, i < 2 ? TensorStore.Parameters : TensorStore.State, tensor.Floats!));
            Record(layer, tensor);
        }
        layer.Tensors.Add(new ImportedTensor("num_batches_tracked", Array.Empty<int>(), TensorStore.BatchCounter, Array.Empty<float>()));
        _layers.Add(layer);
    }

    /// <summary>
    /// Compiled's momentum (the weight of the batch, PyTorch's) from ONNX's (the weight of the running value) as the
    /// shortest decimal that Compiled's exporter maps back to the same float; null for the default (0.1).
    /// </summary>
    private static string? CompiledMomentum(float onnx)
    {
        if (onnx == 1f - 0.1f) return null;
        double m = 1.0 - onnx;
        for (int digits = 1; digits <= 9; digits++)
        {
            string text = m.ToString("G" + digits, System.Globalization.CultureInfo.InvariantCulture);
            if (1f - (float)double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) == onnx) return text;
        }
        return m.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
