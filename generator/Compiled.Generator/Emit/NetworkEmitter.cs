using System.Linq;
using Compiled.Generator.Layers;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Emit;

/// <summary>Emit step: a <see cref="NetworkPlan"/> → the source of the class's generated half.</summary>
internal static class NetworkEmitter
{
    /// <summary>
    /// Members every network class gets, with what each is (for CMP018's message). A class of one of these
    /// names cannot hold them (CS0542), and a user member of one of these names would clash (CS0102/CS0111).
    /// The generator tests parse the generated code and check that this list names every member.
    /// </summary>
    public static readonly (string Name, string Kind)[] GeneratedMembers =
    {
        ("InputSize", "a constant"), ("OutputSize", "a constant"), ("TargetSize", "a constant"), ("ParameterCount", "a constant"),
        ("DefaultSeed", "a constant"), ("ArchitectureText", "a constant"), ("SlabWidth", "a constant"), ("MaxWidth", "a constant"),
        ("InferenceChunk", "a constant"), ("Scratch", "a property"), ("Parameters", "a property"), ("Gradients", "a property"),
        ("Predict", "a method"), ("PredictClass", "a method"), ("Forward", "a method"), ("TrainStep", "a method"),
        ("ComputeGradients", "a method"), ("Fit", "a method"), ("Evaluate", "a method"), ("Save", "a method"), ("Load", "a method"),
        ("CheckInputs", "a method"), ("CheckTargets", "a method"), ("_parameters", "a field"), ("_gradients", "a field"),
        ("_dropoutRng", "a field"), ("_activations", "a field"), ("_deltas", "a field"), ("t_scratch", "a field"),
        ("InputChannels", "a constant"), ("InputHeight", "a constant"), ("InputWidth", "a constant"),
        ("State", "a property"), ("StateCount", "a constant"), ("StatisticsCount", "a constant"), ("_state", "a field"),
        ("_statistics", "a field"), ("UpdateRunningStatistics", "a method"), ("ClassWeights", "a property"), ("_classWeights", "a field"),
        ("Tensors", "a property"), ("Layers", "a property"), ("TrainingRandom", "a property"), ("PositiveWeights", "a property"),
        ("_positiveWeights", "a field"), ("_dropoutKeys", "a field"), ("_lossScale", "a field"),
    };

    /// <summary>The names of <see cref="GeneratedMembers"/>.</summary>
    public static readonly string[] ReservedMemberNames = GeneratedMembers.Select(m => m.Name).ToArray();

    /// <summary>
    /// Every member the generated half of a network with these layers has, by name, with what it is:
    /// <see cref="GeneratedMembers"/> plus each layer's PascalCase name followed by each of <see cref="LayerMemberSuffixes"/>.
    /// </summary>
    public static System.Collections.Generic.Dictionary<string, string> GeneratedMemberNames(System.Collections.Generic.IEnumerable<string> layerNames)
    {
        var names = new System.Collections.Generic.Dictionary<string, string>();
        foreach (var (name, kind) in GeneratedMembers) names[name] = kind;
        foreach (string layer in layerNames)
            foreach (string suffix in LayerMemberSuffixes)
                names[Naming.Pascal(layer) + suffix] = $"a member of layer '{layer}'";
        return names;
    }

    /// <summary>Suffixes of the members generated per layer (after the layer's Pascal name).</summary>
    public static readonly string[] LayerMemberSuffixes =
    {
        "Inputs", "Units", "WeightsOffset", "WeightsCount", "BiasOffset", "Weights", "Bias", "WeightsGradient", "BiasGradient",
        "Epilogue", "OutputOffset", "MaskOffset", "ZOffset",
        "OutputChannels", "OutputHeight", "OutputWidth", "OutputSize", "ParameterCount", "Geometry", "ArgmaxOffset",
        "RunningMean", "RunningVariance", "StateOffset", "StatisticsOffset",
        "DepthwiseWeights", "PointwiseWeights", "DepthwiseOffset", "DepthwiseGeometry", "PointwiseGeometry", "DepthwiseSize",
    };

    /// <summary>One sample's multiply-adds at inference, estimated (the threshold of <c>ChunkedInference.Splits</c>).</summary>
    internal static long MultiplyAddsPerSample(NetworkPlan plan)
    {
        // Weights × output positions (a Dense layer's output is one position; a convolution applies its weights at
        // every output pixel), plus one per output value for the element-wise work: an estimate of one sample's work,
        // which decides when a batch is worth sharing among threads.
        long total = 0;
        foreach (var layer in plan.Layers)
        {
            long positions = layer.OutputShape.IsImage ? (long)layer.OutputShape.Height * layer.OutputShape.Width : 1;
            total += layer.WeightCount * positions + layer.OutputShape.LongSize;
        }
        return System.Math.Max(1, total);
    }

    /// <summary>
    /// Whether Predict shares a large batch among threads by samples (whole chunks per thread) rather than by splitting
    /// each product's columns. By samples there is no wait per layer, but every thread packs and reads all the weights for
    /// its chunk. Measured side by side (Zen 5, two threads, batch 128): by samples 784-128-10 1.99 M samples/s against
    /// 1.58 M by columns, 784-256-256-10 (1 MB of weights) 0.74 M against 0.68 M, the Fashion CNN 178,000 against 129,000.
    /// Dense layers of more than 16 MB that do most of a sample's work keep the column split: read twice, their weights
    /// would no longer fit in half of a 32 MB L3, where the column split reads them once between the threads.
    /// </summary>
    internal static bool SharesBySamples(NetworkPlan plan)
    {
        long dense = 0;
        foreach (var layer in plan.Layers)
            if (layer.Spec.Kind == LayerKind.Dense) dense += layer.WeightCount;
        return !(4 * dense > 16L * 1024 * 1024 && 2 * dense >= MultiplyAddsPerSample(plan));
    }

    /// <summary>
    /// Samples per inference chunk: 128 for networks whose layers are at most 256 wide (a batch of 128 in one
    /// product per layer: each product packs its weights once, where two chunks of 64 packed them twice; the
    /// 784→128 layer of a batch of 128 took 117.7 µs in one product against 2 × 63.4 µs, Zen 5, one thread;
    /// the scratch is then at most 256 KB), 64 for wider layers; very wide layers get fewer, so that the
    /// per-thread scratch (2 × chunk × MaxWidth floats) stays near 32 MB and its size, a constant
    /// expression in the generated code, cannot overflow an int (CS0220).
    /// </summary>
    internal static int InferenceChunk(int maxWidth) =>
        maxWidth <= 256 ? 128 : maxWidth <= 65536 ? 64 : System.Math.Max(1, (1 << 22) / maxWidth);

    public static string Emit(NetworkPlan plan)
    {
        var w = new CodeWriter();
        var spec = plan.Spec;
        w.Line("// <auto-generated/>");
        w.Line($"// Generated by Compiled.Generator from the attributes of {spec.ClassName}. Change the attributes, not this file.");
        w.Line("#nullable enable");
        if (IsLowerCaseAscii(spec.ClassName.TrimStart('@')))
            w.Line("#pragma warning disable CS8981 // the class's name is the user's choice; the warning belongs on their declaration");
        w.Line();
        // No using directives and no 'var': every type is written global::-qualified, so no user type,
        // namespace or member (a class named Dataset, Math or var) can change what a name binds to.
        if (spec.Namespace.Length > 0)
        {
            using (w.Block($"namespace {spec.Namespace}"))
                EmitClass(w, plan);
        }
        else
        {
            EmitClass(w, plan);
        }
        return w.ToString();
    }

    /// <summary>
    /// The declared weight penalties: λ₁·Σ|W| + λ₂·ΣW² of each penalized layer added to the loss, and its derivative to
    /// the weights' gradient (which the backward pass has just written).
    /// </summary>
    private static void EmitPenalties(CodeWriter w, NetworkPlan plan)
    {
        bool any = false;
        foreach (var layer in plan.Layers)
        {
            var spec = layer.Spec;
            if (spec.L1 == 0 && spec.L2 == 0) continue;
            if (!any)
            {
                w.Line();
                w.Line("// ───── Weight penalties (the layers' L1 and L2) ─────");
                any = true;
            }
            string id = layer.Id;
            w.Line($"// '{spec.Name}': loss += {CodeWriter.Float(spec.L1)}·Σ|W| + {CodeWriter.Float(spec.L2)}·ΣW²; ∂W += {CodeWriter.Float(spec.L1)}·sign(W) + 2·{CodeWriter.Float(spec.L2)}·W");
            w.Line($"loss += (float)global::Compiled.Kernels.LayerKernels.AddWeightPenalty(new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount), new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount), {CodeWriter.Float(spec.L1)}, {CodeWriter.Float(spec.L2)});");
        }
    }

    private static bool IsLowerCaseAscii(string name)
    {
        foreach (char c in name) if (c > 127 || char.IsUpper(c)) return false;
        return true;
    }

    private static void EmitClass(CodeWriter w, NetworkPlan plan)
    {
        var spec = plan.Spec;
        bool hasDropout = plan.Layers.Any(l => l.Spec.Kind == LayerKind.Dropout);
        w.Line("/// <summary>");
        w.Line($"/// {Architecture(plan)}, trained with {spec.Loss}: {plan.ParameterCount} parameters.");
        w.Line("/// <para>Shapes per sample:<br/>");
        w.Line($"/// input {plan.InputShape}<br/>");
        foreach (var layer in plan.Layers)
            w.Line($"/// → '{layer.Spec.Name}' ({layer.Spec.Kind}) {layer.OutputShape}{(layer.ParameterCount > 0 ? $", {layer.ParameterCount} parameters" : "")}<br/>");
        w.Line("/// </para>");
        w.Line("/// <see cref=\"Predict(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/> and <see cref=\"Evaluate(global::System.ReadOnlySpan{float}, global::System.ReadOnlySpan{float})\"/> are thread-safe;");
        w.Line("/// training members (<see cref=\"TrainStep\"/>, <see cref=\"Fit\"/>, <see cref=\"Load(string)\"/>) are not, and must not overlap with them.");
        w.Line("/// </summary>");
        string interfaces = "global::Compiled.INetwork, global::Compiled.IChunkForward" + (HasRowSections(plan) ? ", global::Compiled.IRowTraining" : "");
        using (w.Block($"partial class {Naming.Identifier(spec.ClassName)} : {interfaces}"))
        {
            EmitShapes(w, plan);
            EmitState(w, plan, hasDropout);
            EmitConstructors(w, plan, hasDropout);
            EmitInterface(w, plan);
            if (LossCode.HasClassWeights(plan)) EmitClassWeights(w, plan);
            LossCode.EmitMembers(w, plan);
            foreach (var layer in plan.Layers) LayerUnits.For(layer.Spec.Kind).EmitMembers(w, layer);
            TensorEntry.EmitTable(w, plan);
            LayerEntry.EmitTable(w, plan);
            EmitPredict(w, plan);
            EmitTraining(w, plan);
            EmitEvaluate(w, plan);
            EmitPersistence(w);
            EmitHelpers(w, plan);
        }
    }

    private static string Architecture(NetworkPlan plan) =>
        (plan.InputShape.IsImage ? $"Input({plan.InputShape.Channels},{plan.InputShape.Height},{plan.InputShape.Width}) → " : $"Input({plan.InputSize}) → ") + string.Join(" → ", plan.Layers.Select(l => LayerUnits.For(l.Spec.Kind).Signature(l)));

    private static void EmitShapes(CodeWriter w, NetworkPlan plan)
    {
        var input = plan.InputShape;
        if (input.IsImage)
        {
            w.Line($"/// <summary>Shape of an input sample: {input}, channels × height × width, stored channel by channel, row by row (NCHW).</summary>");
            w.Line($"public const int InputChannels = {input.Channels}, InputHeight = {input.Height}, InputWidth = {input.Width};");
            w.Line("/// <summary>Values per input sample: InputChannels × InputHeight × InputWidth.</summary>");
        }
        else
        {
            w.Line("/// <summary>Features per input sample.</summary>");
        }
        w.Line($"public const int InputSize = {plan.InputSize};");
        w.Line("/// <summary>Values per output sample.</summary>");
        w.Line($"public const int OutputSize = {plan.OutputSize};");
        w.Line(plan.TargetSize == 1 && plan.Spec.Loss == LossKind.SoftmaxCrossEntropy
            ? "/// <summary>Values per target sample: the class label (0 … OutputSize − 1) as a float.</summary>"
            : "/// <summary>Values per target sample: one per output.</summary>");
        w.Line($"public const int TargetSize = {plan.TargetSize};");
        w.Line("/// <summary>Trainable parameters, in one buffer: each layer's weights, then its bias.</summary>");
        w.Line($"public const int ParameterCount = {plan.ParameterCount};");
        w.Line("/// <summary>The seed of the parameterless constructor ([Network(Seed = …)]).</summary>");
        w.Line($"public const long DefaultSeed = {plan.Spec.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)}L;");
        w.Line("/// <summary>The architecture, as written into weight files (hashed) to catch mismatches on load.</summary>");
        w.Line($"public const string ArchitectureText = \"{Architecture(plan)}\";");
        w.Line();
        if (plan.StateCount > 0)
        {
            w.Line("/// <summary>Floats of state (running statistics), saved with the parameters but not trained.</summary>");
            w.Line($"public const int StateCount = {plan.StateCount};");
            w.Line($"private const int StatisticsCount = {plan.StatisticsCount}; // the last training batch's statistics");
            w.Line();
        }
        w.Line($"private const int SlabWidth = {plan.SlabWidth};      // floats per sample kept by the training step");
        w.Line($"private const int MaxWidth = {plan.MaxWidth};        // widest layer: sizes the inference scratch");
        w.Line($"internal const int InferenceChunk = {InferenceChunk(plan.MaxWidth)}; // samples per inference pass");
        w.Line();
    }

    private static void EmitState(CodeWriter w, NetworkPlan plan, bool hasDropout)
    {
        w.Line("private readonly float[] _parameters = new float[ParameterCount];");
        w.Line("private readonly float[] _gradients = new float[ParameterCount];");
        if (hasDropout)
        {
            w.Line("private readonly global::Compiled.Rng _dropoutRng;");
            w.Line();
            w.Line("/// <summary>The generator of the dropout masks (training checkpoints save and restore its state).</summary>");
            w.Line("public global::Compiled.Rng? TrainingRandom => _dropoutRng;");
            w.Line();
            if (HasRowSections(plan))
            {
                w.Line($"private readonly ulong[] _dropoutKeys = new ulong[{plan.Layers.Count(l => l.Spec.Kind == LayerKind.Dropout)}]; // each dropout layer's draw for the current step");
                w.Line();
            }
        }
        if (HasRowSections(plan))
        {
            w.Line("private float _lossScale; // the loss gradient's factor for the current step: 1 / the mean's divisor");
            w.Line();
        }
        if (plan.StateCount > 0)
        {
            w.Line("private readonly float[] _state = new float[StateCount];");
            w.Line("private readonly float[] _statistics = new float[StatisticsCount];");
        }
        w.Line("// Training activations and their gradients, [capacity × SlabWidth] each, grown on demand (warm-up).");
        w.Line("private float[] _activations = global::System.Array.Empty<float>();");
        w.Line("private float[] _deltas = global::System.Array.Empty<float>();");
        w.Line();
        w.Line("// Each thread predicting gets its own scratch: two ping-pong halves of InferenceChunk × MaxWidth.");
        w.Line("[global::System.ThreadStatic] private static float[]? t_scratch;");
        w.Line("private static float[] Scratch => t_scratch ??= new float[2 * InferenceChunk * MaxWidth];");
        w.Line();
    }

    private static void EmitConstructors(CodeWriter w, NetworkPlan plan, bool hasDropout)
    {
        var spec = plan.Spec;
        w.Line("/// <summary>Creates the network with weights initialized from <see cref=\"DefaultSeed\"/>.</summary>");
        w.Line($"public {Naming.Identifier(spec.ClassName)}() : this(DefaultSeed) {{ }}");
        w.Line();
        w.Line("/// <summary>Creates the network with weights initialized from <paramref name=\"seed\"/> (biases zero); the same seed gives the same network.</summary>");
        using (w.Block($"public {Naming.Identifier(spec.ClassName)}(long seed)"))
        {
            w.Line("global::Compiled.Rng rng = new global::Compiled.Rng(unchecked((ulong)seed));");
            if (hasDropout) w.Line("_dropoutRng = new global::Compiled.Rng(unchecked((ulong)seed) ^ 0xD1B54A32D192ED03UL); // a stream of its own for dropout masks");
            foreach (var layer in plan.Layers) LayerUnits.For(layer.Spec.Kind).EmitInitialization(w, layer, plan);
        }
        w.Line();
    }

    private static void EmitClassWeights(CodeWriter w, NetworkPlan plan)
    {
        w.Line("private float[]? _classWeights;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Per-class weights of the loss (PyTorch's weight): each sample's loss and gradient count w[label] times, and");
        w.Line("/// the mean divides by Σ w[label] over the batch. For imbalanced classes, e.g. total / (classes · count of the class).");
        w.Line("/// null (the default) weighs every class 1. Set between training steps, not during them; the array is copied.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">Not OutputSize values, or a weight that is not positive and finite.</exception>");
        using (w.Block("public float[]? ClassWeights"))
        {
            w.Line("get => _classWeights is null ? null : (float[])_classWeights.Clone();");
            using (w.Block("set"))
            {
                if (plan.Spec.LabelSmoothing > 0)
                    using (w.Block("if (value is not null)"))
                        w.Line("throw new global::System.NotSupportedException(\"Class weights together with label smoothing are not supported: this network has LabelSmoothing; use one of them.\");");
                using (w.Block("if (value is not null && value.Length != OutputSize)"))
                    w.Line("throw new global::System.ArgumentException($\"ClassWeights has {value.Length} values: expected one per class ({OutputSize}).\", \"value\");");
                using (w.Block("if (value is not null)"))
                using (w.Block("foreach (float weight in value)"))
                using (w.Block("if (!(weight > 0) || float.IsInfinity(weight))"))
                    w.Line("throw new global::System.ArgumentException($\"ClassWeights holds {weight}: every weight must be positive and finite.\", \"value\");");
                w.Line("_classWeights = value is null ? null : (float[])value.Clone();");
            }
        }
        w.Line();
    }

    private static void EmitInterface(CodeWriter w, NetworkPlan plan)
    {
        w.Line("int global::Compiled.INetwork.InputSize => InputSize;");
        w.Line("int global::Compiled.INetwork.OutputSize => OutputSize;");
        w.Line("int global::Compiled.INetwork.TargetSize => TargetSize;");
        w.Line("int global::Compiled.INetwork.ParameterCount => ParameterCount;");
        w.Line("string global::Compiled.INetwork.Architecture => ArchitectureText;");
        w.Line();
        w.Line("/// <summary>All parameters, contiguous: the layers' weight and bias views are slices of it.</summary>");
        w.Line("public global::System.Span<float> Parameters => _parameters;");
        w.Line("/// <summary>∂L/∂parameters from the last training step, laid out like <see cref=\"Parameters\"/>.</summary>");
        w.Line("public global::System.Span<float> Gradients => _gradients;");
        if (plan.StateCount > 0)
        {
            w.Line("/// <summary>State saved with the parameters but not trained: each BatchNorm layer's running mean, then its running variance.</summary>");
            w.Line("public global::System.Span<float> State => _state;");
        }
        w.Line();
    }

    private static void EmitPredict(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Predicts one sample, or several stored one after another: <paramref name=\"outputs\"/> receives");
        w.Line("/// OutputSize values per sample. Thread-safe; allocates nothing after the thread's first call.");
        w.Line("/// </summary>");
        using (w.Block("public void Predict(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)"))
        {
            w.Line("int count = CheckInputs(inputs);");
            using (w.Block("if (outputs.Length != (long)count * OutputSize)"))
                w.Line("throw new global::System.ArgumentException($\"outputs has {outputs.Length} values: expected {(long)count * OutputSize} ({OutputSize} per sample for {count} samples).\", \"outputs\");");
            if (SharesBySamples(plan))
            {
                w.Line("// One chunk (a single sample, a small batch) on this thread; larger batches in chunks of at most InferenceChunk");
                w.Line("// samples, shared among the threads (Sgemm.MaxThreads) by samples. Each sample's outputs are the same bits either way.");
                w.Line($"// {MultiplyAddsPerSample(plan)}: one sample's multiply-adds, estimated (whether a batch is worth sharing).");
            }
            else
            {
                w.Line("// Chunks of at most InferenceChunk samples, one after another; each layer's product is shared among the threads");
                w.Line("// (Sgemm.MaxThreads) by columns: this network's dense weights (over 16 MB) are too large to read once per thread.");
            }
            bool bySamples = SharesBySamples(plan);
            using (w.Block(bySamples
                ? $"if (count <= InferenceChunk && !global::Compiled.ChunkedInference.Splits(count, {MultiplyAddsPerSample(plan)}))"
                : "if (count <= InferenceChunk)"))
            {
                w.Line("Forward(inputs, count, Scratch).CopyTo(outputs);");
                w.Line("return;");
            }
            w.Line($"global::Compiled.ChunkedInference.Predict(this, inputs, InputSize, outputs, OutputSize, count, InferenceChunk, {MultiplyAddsPerSample(plan)}, bySamples: {(bySamples ? "true" : "false")});");
        }
        w.Line();
        w.Line("/// <summary>One chunk of a batch for <see cref=\"global::Compiled.ChunkedInference\"/>, with the calling thread's scratch.</summary>");
        using (w.Block("void global::Compiled.IChunkForward.ForwardChunk(global::System.ReadOnlySpan<float> inputs, int rows, global::System.Span<float> outputs)"))
            w.Line("Forward(inputs, rows, Scratch).CopyTo(outputs);");
        w.Line();
        w.Line("/// <summary>Predicts the samples in <paramref name=\"inputs\"/> into a new array (convenient; allocates).</summary>");
        using (w.Block("public float[] Predict(global::System.ReadOnlySpan<float> inputs)"))
        {
            w.Line("long length = (long)CheckInputs(inputs) * OutputSize;");
            using (w.Block("if (length > global::System.Array.MaxLength)"))
                w.Line("throw new global::System.ArgumentException($\"{length} outputs do not fit in one array: predict fewer samples per call, or into a span.\", \"inputs\");");
            w.Line("float[] outputs = new float[length];");
            w.Line("Predict(inputs, outputs);");
            w.Line("return outputs;");
        }
        w.Line();
        if (plan.Spec.Loss is LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy && plan.OutputSize <= 1024)
        {
            w.Line(plan.Spec.Loss == LossKind.SoftmaxCrossEntropy
                ? "/// <summary>The most likely class (0 … OutputSize − 1) of one sample. Thread-safe, allocation-free.</summary>"
                : "/// <summary>The predicted class (0 or 1) of one sample: 1 when its probability is above 0.5. Thread-safe, allocation-free.</summary>");
            using (w.Block("public int PredictClass(global::System.ReadOnlySpan<float> input)"))
            {
                using (w.Block("if (input.Length != InputSize)"))
                    w.Line("throw new global::System.ArgumentException($\"input has {input.Length} values: expected InputSize ({InputSize}).\", \"input\");");
                w.Line("global::System.Span<float> output = stackalloc float[OutputSize];");
                w.Line("Predict(input, output);");
                if (plan.Spec.Loss == LossKind.SoftmaxCrossEntropy)
                {
                    w.Line("int best = 0;");
                    w.Line("for (int j = 1; j < OutputSize; j++) if (output[j] > output[best]) best = j;");
                    w.Line("return best;");
                }
                else
                {
                    w.Line($"return output[0] > {(plan.OutputIsProbability ? "0.5f" : "0f")} ? 1 : 0;");
                }
            }
            w.Line();
        }

        w.Line("/// <summary>Inference forward pass of <paramref name=\"rows\"/> samples (dropout off); returns the outputs, inside <paramref name=\"scratch\"/>.</summary>");
        using (w.Block("private global::System.ReadOnlySpan<float> Forward(global::System.ReadOnlySpan<float> x, int rows, float[] scratch)"))
        {
            w.Line("global::System.Span<float> bufferA = new global::System.Span<float>(scratch, 0, InferenceChunk * MaxWidth);");
            w.Line("global::System.Span<float> bufferB = new global::System.Span<float>(scratch, InferenceChunk * MaxWidth, InferenceChunk * MaxWidth);");
            w.Line();
            var context = new InferenceContext();
            for (int i = 0; i < plan.Layers.Count; i++)
            {
                var layer = plan.Layers[i];
                // Conv2D + MaxPool(2): one call that pools as it convolves.
                if (i + 1 < plan.Layers.Count && LayerUnits.For(layer.Spec.Kind) is Conv2DUnit conv && conv.PoolsInKernel(layer, plan.Layers[i + 1]))
                {
                    conv.EmitInferenceForwardPooled(w, layer, plan.Layers[++i], context);
                    continue;
                }
                LayerUnits.For(layer.Spec.Kind).EmitInferenceForward(w, layer, context);
            }
            w.Line("return x;");
        }
        w.Line();
    }

    private static void EmitTraining(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// One training step: forward, loss, backward, then <paramref name=\"optimizer\"/> updates the parameters.");
        w.Line("/// <paramref name=\"inputs\"/> holds B samples of InputSize values, <paramref name=\"targets\"/> B samples of TargetSize.");
        w.Line("/// Returns the batch's mean loss. When the loss or a gradient is NaN or infinite, the update is skipped (the");
        w.Line("/// weights stay those of the last good step) and the result is that NaN or ∞ (NaN when only a gradient was).");
        w.Line("/// Allocates nothing once the largest batch size has been seen.");
        w.Line("/// </summary>");
        using (w.Block("public float TrainStep(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, global::Compiled.Optimizer optimizer)"))
        {
            w.Line("global::System.ArgumentNullException.ThrowIfNull(optimizer);");
            w.Line("float loss = ComputeGradients(inputs, targets);");
            w.Line("// A NaN or infinite loss or gradient would poison every weight: skip the update, keep the last good");
            w.Line("// weights, and return the non-finite loss (NaN when only a gradient overflowed).");
            w.Line("if (!float.IsFinite(loss)) return loss;");
            if (plan.StateCount == 0)
            {
                w.Line("return optimizer.TryStep(_parameters, _gradients) ? loss : float.NaN;");
            }
            else
            {
                w.Line("if (!optimizer.TryStep(_parameters, _gradients)) return float.NaN;");
                w.Line("UpdateRunningStatistics(inputs.Length / InputSize);");
                w.Line("return loss;");
            }
        }
        w.Line();
        if (plan.StateCount > 0)
        {
            w.Line("/// <summary>Folds the statistics of the last training batch into the running statistics (after an applied step).</summary>");
            using (w.Block("private void UpdateRunningStatistics(int batch)"))
                foreach (var layer in plan.Layers) LayerUnits.For(layer.Spec.Kind).EmitStatisticsUpdate(w, layer);
            w.Line();
        }
        w.Line("/// <summary>");
        w.Line("/// Forward (training mode: dropout on) and backward pass without an update: fills <see cref=\"Gradients\"/>");
        w.Line("/// with ∂L/∂parameters of the batch's mean loss, and returns that loss.");
        w.Line("/// </summary>");
        using (w.Block("public float ComputeGradients(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)"))
        {
            w.Line("int batch = CheckInputs(inputs);");
            w.Line("CheckTargets(targets, batch);");
            using (w.Block("if ((long)batch * SlabWidth > global::System.Array.MaxLength)"))
                w.Line("throw new global::System.ArgumentException($\"A batch of {batch} samples needs {(long)batch * SlabWidth} floats of activations ({SlabWidth} per sample), more than an array holds: use smaller batches.\", \"inputs\");");
            using (w.Block("if (_activations.Length < batch * SlabWidth)"))
            {
                w.Line("_activations = new float[batch * SlabWidth];");
                w.Line("_deltas = new float[batch * SlabWidth];");
            }
            w.Line();
            w.Line("// This batch's buffers: every region starts at batch × its per-sample offset.");
            EmitBufferSpans(w, plan, chunk: false);
            w.Line();
            if (HasRowSections(plan))
            {
                EmitRowSectionCall(w, plan);
                EmitPenalties(w, plan);
                w.Line("return loss;");
            }
            else
            {
                EmitWholeBatchPasses(w, plan);
            }
        }
        w.Line();
        if (HasRowSections(plan)) EmitTrainRows(w, plan);
        w.Line("/// <summary>Trains on <paramref name=\"train\"/> with <see cref=\"global::Compiled.Trainer.Fit\"/>: epochs, shuffled minibatches, validation, progress, early stopping.</summary>");
        w.Line("public global::Compiled.FitHistory Fit(global::Compiled.Dataset train, global::Compiled.FitOptions? options = null) => global::Compiled.Trainer.Fit(this, train, options);");
        w.Line();
    }

    /// <summary>
    /// Whether every layer is per sample in the training step (<see cref="LayerUnit.RowLocal"/>) and none keeps batch
    /// statistics: then <c>ComputeGradients</c> runs the per-sample work in <c>IRowTraining.TrainRows</c>, its samples
    /// shared among threads by <c>RowTraining.Run</c>, and only the parameter gradients over the whole batch.
    /// </summary>
    internal static bool HasRowSections(NetworkPlan plan) =>
        plan.StateCount == 0 && plan.Layers.All(l => LayerUnits.For(l.Spec.Kind).RowLocal);

    /// <summary>ComputeGradients after its buffers, with row sections: the draws, the section, the parameter gradients.</summary>
    private static void EmitRowSectionCall(CodeWriter w, NetworkPlan plan)
    {
        int k = 0;
        foreach (var layer in plan.Layers)
            if (layer.Spec.Kind == LayerKind.Dropout)
                w.Line($"_dropoutKeys[{k++}] = _dropoutRng.NextUInt64(); // '{layer.Spec.Name}''s draw for this step: its mask is a hash of it and each element's index");
        int sectionStart = RowSectionStart(plan);
        if (sectionStart > 0)
        {
            w.Line();
            w.Line("// ───── Forward up to the first product, on the whole batch: its columns shared among the threads ─────");
            for (int i = 0; i < sectionStart; i++)
                LayerUnits.For(plan.Layers[i].Spec.Kind).EmitTrainingForward(w, plan.Layers[i], Context(plan, i));
        }
        w.Line(sectionStart < plan.Layers.Count
            ? "// ───── Per sample, the rest forward and all back to each layer's ∂input (TrainRows): the samples shared among the threads ─────"
            : "// ───── Per sample, the loss and back to each layer's ∂input (TrainRows): the samples shared among the threads ─────");
        string count = EmitLossDivisor(w, plan);
        w.Line(LossCode.HasClassWeights(plan) ? $"_lossScale = (float)(1 / {count});" : $"_lossScale = 1f / {count};");
        w.Line($"// {LossCode.Formula(plan)}");
        w.Line($"float loss = (float)(global::Compiled.RowTraining.Run(this, inputs, targets, batch, {MultiplyAddsPerSample(plan)}) / {count});");
        w.Line();
        w.Line("// ───── Parameter gradients: sums over the whole batch ─────");
        for (int i = plan.Layers.Count - 1; i >= 0; i--)
        {
            var layer = plan.Layers[i];
            if (layer.ParameterCount == 0) continue;
            w.Line($"// Parameters of '{layer.Spec.Name}' ({layer.Spec.Kind} {layer.InputShape}→{layer.OutputShape})");
            LayerUnits.For(layer.Spec.Kind).EmitParameterGradients(w, layer, Context(plan, i));
        }
    }

    /// <summary>IRowTraining.TrainRows: a chunk of the batch through every layer, forward, loss, and back to each ∂input.</summary>
    private static void EmitTrainRows(CodeWriter w, NetworkPlan plan)
    {
        var last = plan.Layers[plan.Layers.Count - 1];
        w.Line("/// <summary>");
        w.Line("/// Samples [start, start + rows) of <see cref=\"ComputeGradients\"/>' batch: the training forward pass, the loss's gradient in");
        w.Line("/// blocks of <see cref=\"global::Compiled.RowTraining.LossBlock\"/> samples (their losses into <paramref name=\"losses\"/>) and the");
        w.Line("/// backward pass to each layer's ∂input, with this step's dropout draws. Called by <see cref=\"global::Compiled.RowTraining\"/>,");
        w.Line("/// on several threads at once for disjoint chunks.");
        w.Line("/// </summary>");
        using (w.Block("void global::Compiled.IRowTraining.TrainRows(global::System.ReadOnlySpan<float> batchInputs, global::System.ReadOnlySpan<float> batchTargets, int batch, int start, int rows, global::System.Span<double> losses)"))
        {
            w.Line("global::System.ReadOnlySpan<float> inputs = batchInputs.Slice(start * InputSize, rows * InputSize);");
            w.Line("global::System.ReadOnlySpan<float> targets = batchTargets.Slice(start * TargetSize, rows * TargetSize);");
            w.Line("// This chunk's rows of the batch's buffers: a region starts at batch × its per-sample offset, the chunk start rows into it.");
            EmitBufferSpans(w, plan, chunk: true);
            w.Line();
            int sectionStart = RowSectionStart(plan);
            if (sectionStart < plan.Layers.Count)
            {
                w.Line(sectionStart > 0 ? $"// ───── Forward, from '{plan.Layers[sectionStart].Spec.Name}' (ComputeGradients ran the layers before it) ─────" : "// ───── Forward ─────");
                for (int i = sectionStart; i < plan.Layers.Count; i++)
                    LayerUnits.For(plan.Layers[i].Spec.Kind).EmitTrainingForward(w, plan.Layers[i], Context(plan, i, rowSection: true));
            }
            w.Line($"// ───── Loss, block by block: {LossCode.Formula(plan)}");
            string y = BufferNames.Span(last.Output), dy = BufferNames.Delta(last.Output);
            using (w.Block("for (int block = 0; block < losses.Length; block++)"))
            {
                w.Line("int first = block * global::Compiled.RowTraining.LossBlock, count = global::System.Math.Min(global::Compiled.RowTraining.LossBlock, rows - first);");
                w.Line($"losses[block] = {LossCode.SumCall(plan, $"{y}.Slice(first * OutputSize, count * OutputSize)", "targets.Slice(first * TargetSize, count * TargetSize)", $"{dy}.Slice(first * OutputSize, count * OutputSize)", "count", scale: "_lossScale")};");
            }
            w.Line();
            w.Line("// ───── Backward, to each layer's ∂input ─────");
            for (int i = plan.Layers.Count - 1; i >= 0; i--)
                LayerUnits.For(plan.Layers[i].Spec.Kind).EmitBackward(w, plan.Layers[i], Context(plan, i, rowSection: true));
        }
        w.Line();
    }

    /// <summary>
    /// The first layer of the row sections' forward pass: the one after the first Dense layer. That layer's product, usually
    /// the step's largest, stays on the whole batch with its columns shared among the threads: cut by samples, each thread
    /// would pack all of its weights for a few rows (784→256 at batch 32: 42 µs a thread for 16 rows against 35 µs for the
    /// split product, Zen 5); the later layers' small products and element-wise work gain from the split.
    /// </summary>
    internal static int RowSectionStart(NetworkPlan plan)
    {
        for (int i = 0; i < plan.Layers.Count; i++)
            if (plan.Layers[i].Spec.Kind == LayerKind.Dense) return i + 1;
        return 0;
    }

    /// <summary>
    /// The spans of the activation slab <c>a</c> and the gradient slab <c>d</c>: the whole batch's regions, or with
    /// <paramref name="chunk"/> the rows [start, start + rows) of each.
    /// </summary>
    private static void EmitBufferSpans(CodeWriter w, NetworkPlan plan, bool chunk)
    {
        w.Line("global::System.Span<float> a = new global::System.Span<float>(_activations, 0, batch * SlabWidth), d = new global::System.Span<float>(_deltas, 0, batch * SlabWidth);");
        string Slice(BufferPlan buffer) => chunk
            ? $"batch * {BufferNames.OffsetConstant(buffer)} + start * {buffer.Width}, rows * {buffer.Width}"
            : $"batch * {BufferNames.OffsetConstant(buffer)}, batch * {buffer.Width}";
        foreach (var layer in plan.Layers)
        {
            foreach (var buffer in new[] { layer.PreActivation, layer.Mask, layer.Hidden, layer.Output })
                if (buffer is not null)
                    w.Line($"global::System.Span<float> {BufferNames.Span(buffer)} = a.Slice({Slice(buffer)});");
            foreach (var buffer in new[] { layer.Hidden, layer.Output })
                if (buffer is not null)
                    w.Line($"global::System.Span<float> {BufferNames.Delta(buffer)} = d.Slice({Slice(buffer)});");
        }
    }

    /// <summary>
    /// The divisor of the batch's mean loss, as code: softmax cross-entropy's Σ w[label] in a local <c>lossCount</c> (emitted
    /// here), else the value count of the batch.
    /// </summary>
    private static string EmitLossDivisor(CodeWriter w, NetworkPlan plan)
    {
        if (!LossCode.HasClassWeights(plan)) return LossCode.Count(plan, "batch");
        w.Line($"double lossCount = {LossCode.WeightTotalCall("targets", "batch")}; // Σ w[label]: the batch size without class weights");
        return "lossCount";
    }

    /// <summary>ComputeGradients after its buffers, without row sections: the whole batch layer by layer.</summary>
    private static void EmitWholeBatchPasses(CodeWriter w, NetworkPlan plan)
    {
        var last = plan.Layers[plan.Layers.Count - 1];
        w.Line("// ───── Forward ─────");
        for (int i = 0; i < plan.Layers.Count; i++)
            LayerUnits.For(plan.Layers[i].Spec.Kind).EmitTrainingForward(w, plan.Layers[i], Context(plan, i));
        w.Line($"// ───── Loss: {LossCode.Formula(plan)}");
        string y = BufferNames.Span(last.Output), dy = BufferNames.Delta(last.Output);
        string count = EmitLossDivisor(w, plan);
        w.Line(LossCode.HasClassWeights(plan)
            ? $"float loss = (float)({LossCode.SumCall(plan, y, "targets", dy, "batch", count)} / {count});"
            : $"float loss = (float)({LossCode.SumCall(plan, y, "targets", dy, "batch")} / {count});");
        w.Line();
        w.Line("// ───── Backward ─────");
        for (int i = plan.Layers.Count - 1; i >= 0; i--)
            LayerUnits.For(plan.Layers[i].Spec.Kind).EmitBackward(w, plan.Layers[i], Context(plan, i));
        EmitPenalties(w, plan);
        w.Line("return loss;");
    }

    /// <summary>
    /// The spans layer <paramref name="index"/> reads and writes, on the whole batch or in a row section; in a network with
    /// row sections a dropout layer uses this step's draw.
    /// </summary>
    private static EmitContext Context(NetworkPlan plan, int index, bool rowSection = false)
    {
        string? key = null;
        if (plan.Layers[index].Spec.Kind == LayerKind.Dropout && HasRowSections(plan))
            key = $"_dropoutKeys[{plan.Layers.Take(index).Count(l => l.Spec.Kind == LayerKind.Dropout)}]";
        return index == 0
            ? new EmitContext("inputs", null, rowSection, key)
            : new EmitContext(BufferNames.Span(plan.Layers[index - 1].Output), BufferNames.Delta(plan.Layers[index - 1].Output), rowSection, key);
    }

    private static void EmitEvaluate(CodeWriter w, NetworkPlan plan)
    {
        string? correct = LossCode.CorrectCall(plan, "y", "t", "rows");
        w.Line(plan.Spec.Loss == LossKind.MeanSquaredError
            ? "/// <summary>Mean loss (the mean squared error) and mean absolute error on the given samples, in inference mode (dropout off). Thread-safe.</summary>"
            : "/// <summary>Mean loss and accuracy on the given samples, in inference mode (dropout off). Thread-safe.</summary>");
        using (w.Block("public global::Compiled.EvaluationResult Evaluate(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets)"))
        {
            w.Line("int count = CheckInputs(inputs);");
            w.Line("CheckTargets(targets, count);");
            w.Line("float[] scratch = Scratch;");
            w.Line("double lossSum = 0;");
            bool regression = plan.Spec.Loss == LossKind.MeanSquaredError;
            if (correct is not null) w.Line("long correct = 0;");
            if (regression) w.Line("double absoluteSum = 0;");
            if (LossCode.HasClassWeights(plan)) w.Line("double weightTotal = 0; // Σ w[label]: the sample count without class weights");
            using (w.Block("for (int start = 0; start < count; start += InferenceChunk)"))
            {
                w.Line("int rows = global::System.Math.Min(InferenceChunk, count - start);");
                w.Line("global::System.ReadOnlySpan<float> y = Forward(inputs.Slice(start * InputSize, rows * InputSize), rows, scratch);");
                w.Line("global::System.ReadOnlySpan<float> t = targets.Slice(start * TargetSize, rows * TargetSize);");
                w.Line($"lossSum += {LossCode.SumCall(plan, "y", "t", "default", "rows")};");
                if (correct is not null) w.Line($"correct += {correct};");
                if (regression) w.Line("absoluteSum += global::Compiled.Kernels.MetricKernels.SumAbsoluteError(y, t);");
                if (LossCode.HasClassWeights(plan)) w.Line($"weightTotal += {LossCode.WeightTotalCall("t", "rows")};");
            }
            string accuracy = plan.Spec.Loss switch
            {
                LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy => "(double)correct / count",
                LossKind.MultiLabelBinaryCrossEntropy => "(double)correct / ((long)count * OutputSize)",
                _ => "double.NaN",
            };
            w.Line(regression
                ? $"return new global::Compiled.EvaluationResult(lossSum / {LossCode.Count(plan, "(double)count")}, double.NaN, count) {{ MeanAbsoluteError = absoluteSum / ((double)count * OutputSize) }};"
                : $"return new global::Compiled.EvaluationResult(lossSum / {(LossCode.HasClassWeights(plan) ? "weightTotal" : LossCode.Count(plan, "(double)count"))}, {accuracy}, count);");
        }
        w.Line();
        w.Line("/// <summary>Mean loss and accuracy on <paramref name=\"data\"/>, in inference mode. Thread-safe.</summary>");
        w.Line("public global::Compiled.EvaluationResult Evaluate(global::Compiled.Dataset data) => Evaluate(data.Features, data.Targets);");
        w.Line();
    }

    private static void EmitPersistence(CodeWriter w)
    {
        w.Line("/// <summary>Saves the weights to <paramref name=\"path\"/> atomically (format: docs/weight-format.md).</summary>");
        w.Line("public void Save(string path) => global::Compiled.WeightFile.Save(path, this);");
        w.Line("/// <summary>Writes the weights to <paramref name=\"stream\"/>.</summary>");
        w.Line("public void Save(global::System.IO.Stream stream) => global::Compiled.WeightFile.Write(stream, this);");
        w.Line("/// <summary>Loads weights saved by a network of the same architecture; throws InvalidDataException otherwise, leaving the weights untouched.</summary>");
        w.Line("public void Load(string path) => global::Compiled.WeightFile.Load(path, this);");
        w.Line("/// <summary>Reads weights written by <see cref=\"Save(global::System.IO.Stream)\"/>; throws InvalidDataException on any mismatch or corruption.</summary>");
        w.Line("public void Load(global::System.IO.Stream stream) => global::Compiled.WeightFile.Read(stream, this);");
        w.Line();
    }

    private static void EmitHelpers(CodeWriter w, NetworkPlan plan)
    {
        using (w.Block("private static int CheckInputs(global::System.ReadOnlySpan<float> inputs)"))
        {
            using (w.Block("if (inputs.Length == 0 || inputs.Length % InputSize != 0)"))
                w.Line("throw new global::System.ArgumentException($\"inputs has {inputs.Length} values: expected a positive multiple of InputSize ({InputSize}), one row per sample.\", \"inputs\");");
            w.Line("return inputs.Length / InputSize;");
        }
        w.Line();
        using (w.Block("private static void CheckTargets(global::System.ReadOnlySpan<float> targets, int count)"))
        {
            using (w.Block("if (targets.Length != (long)count * TargetSize)"))
                w.Line("throw new global::System.ArgumentException($\"targets has {targets.Length} values: expected {(long)count * TargetSize} ({TargetSize} per sample for {count} samples).\", \"targets\");");
            if (LossCode.TargetCheckCall(plan, "targets", "count") is { } check)
            {
                w.Line("// Every target's value, numbered in the whole batch (the loss kernels see chunks of it).");
                w.Line($"{check};");
            }
        }
    }
}
