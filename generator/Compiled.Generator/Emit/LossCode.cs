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
        (LossKind.BinaryCrossEntropy, true) => "binary cross-entropy on the last layer's sigmoid: L = −mean(t·ln p + (1 − t)·ln(1 − p)); ∂L/∂z = (p − t)/B",
        (LossKind.BinaryCrossEntropy, false) => "binary cross-entropy from logits: L = mean(max(z, 0) − z·t + ln(1 + e^−|z|)); ∂L/∂z = (sigmoid(z) − t)/B",
        (LossKind.MultiLabelBinaryCrossEntropy, true) => "multi-label binary cross-entropy on the last layer's sigmoid, averaged over labels: ∂L/∂z = (p − t)/(B·outputs)",
        _ => "multi-label binary cross-entropy from logits, averaged over labels: ∂L/∂z = (sigmoid(z) − t)/(B·outputs)",
    };

    /// <summary>Softmax cross-entropy takes class weights (a weighted mean): its divisor is a variable computed from the labels.</summary>
    public static bool HasClassWeights(NetworkPlan plan) => plan.Spec.Loss == LossKind.SoftmaxCrossEntropy;

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
    public static string SumCall(NetworkPlan plan, string outputs, string targets, string gradient, string rows, string? count = null)
    {
        string probabilities = plan.OutputIsProbability ? "true" : "false";
        string scale = gradient == "default" ? "0f" : count is not null ? $"(float)(1 / {count})" : $"1f / {Count(plan, rows)}";
        return plan.Spec.Loss switch
        {
            LossKind.MeanSquaredError => $"global::Compiled.Kernels.LossKernels.MeanSquaredError({outputs}, {targets}, {gradient}, {scale})",
            LossKind.SoftmaxCrossEntropy => $"global::Compiled.Kernels.LossKernels.SoftmaxCrossEntropy({outputs}, {targets}, {gradient}, {rows}, OutputSize, {scale}, outputsAreProbabilities: {probabilities}{Smoothing(plan)}, classWeights: _classWeights)",
            _ => $"global::Compiled.Kernels.LossKernels.BinaryCrossEntropy({outputs}, {targets}, {gradient}, {scale}, outputsAreProbabilities: {probabilities})",
        };
    }

    private static string Smoothing(NetworkPlan plan) =>
        plan.Spec.LabelSmoothing > 0 ? $", labelSmoothing: {CodeWriter.Float(plan.Spec.LabelSmoothing)}" : "";

    /// <summary>A call counting correct predictions, or null for regression.</summary>
    public static string? CorrectCall(NetworkPlan plan, string outputs, string targets, string rows) => plan.Spec.Loss switch
    {
        LossKind.SoftmaxCrossEntropy => $"global::Compiled.Kernels.MetricKernels.CountArgmaxCorrect({outputs}, {targets}, {rows}, OutputSize)",
        LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy => $"global::Compiled.Kernels.MetricKernels.CountThresholdCorrect({outputs}, {targets}, outputsAreProbabilities: {(plan.OutputIsProbability ? "true" : "false")})",
        _ => null,
    };
}
