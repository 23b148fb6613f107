using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Emit;

/// <summary>The loss and accuracy code of each <see cref="LossKind"/>.</summary>
internal static class LossCode
{
    public static string Formula(NetworkPlan plan) => (plan.Spec.Loss, plan.OutputIsProbability) switch
    {
        (LossKind.MeanSquaredError, _) => "mean squared error: L = mean((y − t)²); ∂L/∂y = 2(y − t)/(B·outputs)",
        (LossKind.SoftmaxCrossEntropy, false) when plan.Spec.LabelSmoothing > 0 => $"softmax cross-entropy from logits with label smoothing ε = {CodeWriter.Float(plan.Spec.LabelSmoothing).TrimEnd('f')}: q = (1 − ε)·onehot(label) + ε/classes; L = −mean Σ q·ln softmax(z); ∂L/∂z = (softmax(z) − q)/B",
        (LossKind.SoftmaxCrossEntropy, true) when plan.Spec.LabelSmoothing > 0 => $"softmax cross-entropy on the last layer's softmax with label smoothing ε = {CodeWriter.Float(plan.Spec.LabelSmoothing).TrimEnd('f')}: q = (1 − ε)·onehot(label) + ε/classes; L = −mean Σ q·ln p; ∂L/∂z = (p − q)/B",
        (LossKind.SoftmaxCrossEntropy, true) => "softmax cross-entropy on the last layer's softmax: L = −mean ln p[label]; ∂L/∂z = (p − onehot(label))/B",
        (LossKind.SoftmaxCrossEntropy, false) => "softmax cross-entropy from logits: L = −mean ln softmax(z)[label]; ∂L/∂z = (softmax(z) − onehot(label))/B",
        (LossKind.BinaryCrossEntropy, true) => "binary cross-entropy on the last layer's sigmoid: L = −mean(w·t·ln p + (1 − t)·ln(1 − p)), w = PositiveWeights (1 without); ∂L/∂z = ((1 + (w − 1)·t)·p − w·t)/B",
        (LossKind.BinaryCrossEntropy, false) => "binary cross-entropy from logits: L = mean(max(z, 0) − z·t + ln(1 + e^−|z|)), the positive term w = PositiveWeights times (1 without); ∂L/∂z = ((1 + (w − 1)·t)·sigmoid(z) − w·t)/B",
        (LossKind.MultiLabelBinaryCrossEntropy, true) => "multi-label binary cross-entropy on the last layer's sigmoid, averaged over labels, the positive term of label j w[j] = PositiveWeights[j] times (1 without): ∂L/∂z = ((1 + (w − 1)·t)·p − w·t)/(B·outputs)",
        _ => "multi-label binary cross-entropy from logits, averaged over labels, the positive term of label j w[j] = PositiveWeights[j] times (1 without): ∂L/∂z = ((1 + (w − 1)·t)·sigmoid(z) − w·t)/(B·outputs)",
    };

    /// <summary>Softmax cross-entropy takes class weights (a weighted mean): its divisor is a variable computed from the labels.</summary>
    public static bool HasClassWeights(NetworkPlan plan) => plan.Spec.Loss == LossKind.SoftmaxCrossEntropy;

    /// <summary>The binary losses take PyTorch's pos_weight, one weight per output (the mean's divisor stays the value count).</summary>
    public static bool HasPositiveWeights(NetworkPlan plan) => plan.Spec.Loss is LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy;

    /// <summary>The loss's settable members: <c>PositiveWeights</c> of the binary losses (softmax cross-entropy's <c>ClassWeights</c> is the emitter's).</summary>
    public static void EmitMembers(CodeWriter w, NetworkPlan plan)
    {
        if (!HasPositiveWeights(plan)) return;
        w.Line("private float[]? _positiveWeights;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Weights of the positive class per output (PyTorch's BCEWithLogitsLoss pos_weight): the loss of output j is");
        w.Line("/// −(w[j]·t·ln p + (1 − t)·ln(1 − p)), so a positive counts w[j] times; the mean still divides by the number of");
        w.Line("/// outputs, as PyTorch's. For imbalanced labels, e.g. w[j] = negatives / positives of label j. Weights for the");
        w.Line("/// negative and positive class (a, b) train as pos_weight b / a with the learning rate scaled by a.");
        w.Line("/// null (the default) weighs both classes 1. Set between training steps, not during them; the array is copied.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">Not OutputSize values, or a weight that is not positive and finite.</exception>");
        using (w.Block("public float[]? PositiveWeights"))
        {
            w.Line("get => _positiveWeights is null ? null : (float[])_positiveWeights.Clone();");
            using (w.Block("set"))
            {
                using (w.Block("if (value is not null && value.Length != OutputSize)"))
                    w.Line("throw new global::System.ArgumentException($\"PositiveWeights has {value.Length} values: expected one per output ({OutputSize}).\", \"value\");");
                using (w.Block("if (value is not null)"))
                using (w.Block("foreach (float weight in value)"))
                using (w.Block("if (!(weight > 0) || float.IsInfinity(weight))"))
                    w.Line("throw new global::System.ArgumentException($\"PositiveWeights holds {weight}: every weight must be positive and finite.\", \"value\");");
                w.Line("_positiveWeights = value is null ? null : (float[])value.Clone();");
            }
        }
        w.Line();
    }

    /// <summary>A call giving the weighted-mean divisor of softmax cross-entropy: Σ w[label], or the row count without weights.</summary>
    public static string WeightTotalCall(string targets, string rows) =>
        $"global::Compiled.Kernels.LossKernels.LabelWeightTotal({targets}, _classWeights, {rows}, OutputSize)";

    /// <summary>
    /// The divisor that turns the kernel's sum into the mean loss, as code over <paramref name="rows"/>: every
    /// output counts for the per-output losses. (Softmax cross-entropy divides by <see cref="WeightTotalCall"/>.)
    /// </summary>
    public static string Count(NetworkPlan plan, string rows) => $"({rows} * OutputSize)";

    /// <summary>A call returning the summed loss of <paramref name="outputs"/>, writing the gradient into <paramref name="gradient"/> (or "default").</summary>
    /// <param name="count">The divisor's code when it is not <see cref="Count"/> (softmax cross-entropy's weighted total).</param>
    /// <param name="scale">The gradient's factor as code, when the caller computed it (a row section's <c>_lossScale</c>).</param>
    public static string SumCall(NetworkPlan plan, string outputs, string targets, string gradient, string rows, string? count = null, string? scale = null)
    {
        string probabilities = plan.OutputIsProbability ? "true" : "false";
        scale ??= gradient == "default" ? "0f" : count is not null ? $"(float)(1 / {count})" : $"1f / {Count(plan, rows)}";
        return plan.Spec.Loss switch
        {
            LossKind.MeanSquaredError => $"global::Compiled.Kernels.LossKernels.MeanSquaredError({outputs}, {targets}, {gradient}, {scale})",
            LossKind.SoftmaxCrossEntropy => $"global::Compiled.Kernels.LossKernels.SoftmaxCrossEntropy({outputs}, {targets}, {gradient}, {rows}, OutputSize, {scale}, outputsAreProbabilities: {probabilities}{Smoothing(plan)}, classWeights: _classWeights)",
            _ => $"global::Compiled.Kernels.LossKernels.BinaryCrossEntropy({outputs}, {targets}, {gradient}, {scale}, outputsAreProbabilities: {probabilities}, positiveWeights: _positiveWeights)",
        };
    }

    private static string Smoothing(NetworkPlan plan) =>
        plan.Spec.LabelSmoothing > 0 ? $", labelSmoothing: {CodeWriter.Float(plan.Spec.LabelSmoothing)}" : "";

    /// <summary>A call checking every target's value (class labels, binary targets in [0, 1]), or null when any value goes (regression).</summary>
    public static string? TargetCheckCall(NetworkPlan plan, string targets, string rows) => plan.Spec.Loss switch
    {
        LossKind.SoftmaxCrossEntropy => $"global::Compiled.Kernels.LossKernels.CheckLabels({targets}, {rows}, OutputSize)",
        LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy => $"global::Compiled.Kernels.LossKernels.CheckBinaryTargets({targets})",
        _ => null,
    };

    /// <summary>A call counting correct predictions, or null for regression.</summary>
    public static string? CorrectCall(NetworkPlan plan, string outputs, string targets, string rows) => plan.Spec.Loss switch
    {
        LossKind.SoftmaxCrossEntropy => $"global::Compiled.Kernels.MetricKernels.CountArgmaxCorrect({outputs}, {targets}, {rows}, OutputSize)",
        LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy => $"global::Compiled.Kernels.MetricKernels.CountThresholdCorrect({outputs}, {targets}, outputsAreProbabilities: {(plan.OutputIsProbability ? "true" : "false")})",
        _ => null,
    };
}
