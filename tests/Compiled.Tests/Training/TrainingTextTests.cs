using System;
using System.Globalization;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// What training shows a person: the text of an evaluation and of an epoch report (each form, numbers worked by
/// hand, in the invariant culture), and the messages of the optimizer's size checks.
/// </summary>
public sealed class TrainingTextTests
{
    [Fact]
    public void Evaluation_results_read_as_classification_loss_only_or_regression()
    {
        InvariantCulture(() =>
        {
            Assert.Equal("loss 0.1235, accuracy 87.50 % on 8 samples", new EvaluationResult(0.123456, 0.875, 8).ToString());
            Assert.Equal("loss 0.1235 on 8 samples", new EvaluationResult(0.123456, double.NaN, 8).ToString());
            // MSE 6.25, so RMSE √6.25 = 2.5.
            Assert.Equal("loss (MSE) 6.25, RMSE 2.5, MAE 1.75 on 3 samples",
                new EvaluationResult(6.25, double.NaN, 3) { MeanAbsoluteError = 1.75 }.ToString());
        });
    }

    [Fact]
    public void Epoch_reports_show_validation_only_when_there_is_some()
    {
        InvariantCulture(() =>
        {
            Assert.Equal("epoch 3/10: train loss 0.5000 (1.23 s)", new EpochReport(3, 10, 0.5, double.NaN, double.NaN, 1.234).ToString());
            Assert.Equal("epoch 3/10: train loss 0.5000, validation loss 0.2500 (1.00 s)", new EpochReport(3, 10, 0.5, 0.25, double.NaN, 1.0).ToString());
            Assert.Equal("epoch 10/10: train loss 0.0100, validation loss 0.2500, validation accuracy 90.00 % (0.50 s)",
                new EpochReport(10, 10, 0.01, 0.25, 0.9, 0.5).ToString());
        });
    }

    [Fact]
    public void Optimizer_size_errors_give_both_counts()
    {
        var optimizer = new Adam();
        float[] parameters = new float[3];
        var mismatch = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, new float[2]));
        Assert.Equal("gradients", mismatch.ParamName);
        Assert.Contains("3 parameters but 2 gradients", mismatch.Message);
        Assert.Equal(0, optimizer.StepCount);

        optimizer.Step(parameters, new float[3]);
        var resized = Assert.Throws<InvalidOperationException>(() => optimizer.Step(new float[4], new float[4]));
        Assert.Contains("used with 3 parameters and now with 4", resized.Message);
    }

    private static void InvariantCulture(Action action)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            action();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
