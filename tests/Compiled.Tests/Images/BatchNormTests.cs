using System;
using System.IO;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Fixtures;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// BatchNorm against PyTorch 1.13 (fixtures batchnorm_2d: per channel of 3 × 4×5×5 images; batchnorm_1d:
/// per feature of 6 × 7 vectors): the kernels, then the generated layer through Predict, ComputeGradients
/// and TrainStep; and the generated training-mode backward against finite differences.
/// </summary>
public sealed class BatchNormTests
{
    public static TheoryData<string> Cases() => new() { "batchnorm_2d", "batchnorm_1d" };

    private static (int Batch, int Channels, int Plane) Shape(TorchFixture f)
    {
        int[] shape = f.Ints("input_shape");
        return (f.Int("batch"), shape[0], shape.Length == 3 ? shape[1] * shape[2] : 1);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_match_PyTorch_in_training_and_inference(string name)
    {
        var f = TorchFixture.Load(name);
        var (batch, channels, plane) = Shape(f);
        var x = f.Floats("x");
        float eps = (float)f.Number("epsilon");
        var statistics = new float[3 * channels];
        var y = new float[x.Length];
        BatchNormalization.TrainingForward(batch, channels, plane, x, f.Floats("weight"), f.Floats("bias"), eps, statistics, y);
        TorchNetworkTests.AssertClose(f.Doubles("y"), y, "y");

        var dgamma = new float[channels];
        var dbeta = new float[channels];
        var dx = new float[x.Length];
        BatchNormalization.Backward(batch, channels, plane, x, f.Floats("dy"), f.Floats("weight"), statistics, dgamma, dbeta, dx);
        TorchNetworkTests.AssertClose(f.Doubles("dx"), dx, "dx");
        TorchNetworkTests.AssertClose(f.Doubles("dweight"), dgamma, "dγ");
        TorchNetworkTests.AssertClose(f.Doubles("dbias"), dbeta, "dβ");

        var mean = f.Floats("running_mean");
        var variance = f.Floats("running_var");
        BatchNormalization.UpdateRunningStatistics((long)batch * plane, statistics, (float)f.Number("momentum"), mean, variance);
        TorchNetworkTests.AssertClose(f.Doubles("running_mean_after"), mean, "running mean");
        TorchNetworkTests.AssertClose(f.Doubles("running_var_after"), variance, "running variance");

        var inference = new float[x.Length];
        BatchNormalization.InferenceForward(batch, channels, plane, x, f.Floats("weight"), f.Floats("bias"),
            f.Floats("running_mean"), f.Floats("running_var"), eps, inference);
        TorchNetworkTests.AssertClose(f.Doubles("y_eval"), inference, "inference y");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_layer_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        INetwork net = name == "batchnorm_2d" ? new TorchBatchNorm2d() : new TorchBatchNorm1d();
        var (batch, channels, _) = Shape(f);
        Assert.Equal(2 * channels, net.ParameterCount);
        Assert.Equal(2 * channels, net.State.Length);
        // A new layer starts as the identity map of PyTorch's: γ = 1, β = 0, running mean 0, variance 1.
        Assert.All(net.Parameters[..channels].ToArray(), g => Assert.Equal(1f, g));
        Assert.All(net.Parameters[channels..].ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.State[..channels].ToArray(), m => Assert.Equal(0f, m));
        Assert.All(net.State[channels..].ToArray(), v => Assert.Equal(1f, v));

        f.Floats("weight").CopyTo(net.Parameters);
        f.Floats("bias").CopyTo(net.Parameters[channels..]);
        f.Floats("running_mean").CopyTo(net.State);
        f.Floats("running_var").CopyTo(net.State[channels..]);
        var x = f.Floats("x");

        // Inference: the running statistics.
        var y = new float[x.Length];
        net.Predict(x, y);
        TorchNetworkTests.AssertClose(f.Doubles("y_eval"), y, "Predict");

        // Training: MSE's ∂L/∂y = 2(y − t)/M, so t = y − dy·M/2 makes the upstream gradient PyTorch's dy.
        var yTrain = f.Doubles("y");
        var dy = f.Doubles("dy");
        var targets = yTrain.Select((v, i) => (float)(v - dy[i] * x.Length / 2)).ToArray();
        var stateBefore = net.State.ToArray();
        net.ComputeGradients(x, targets);
        TorchNetworkTests.AssertClose(f.Doubles("dweight").Concat(f.Doubles("dbias")).ToArray(), net.Gradients.ToArray(), "∂γ, ∂β");
        Assert.Equal(stateBefore, net.State.ToArray()); // ComputeGradients alone does not move the statistics

        // A training step (learning rate 1e-30: the parameters stay as they are) moves the running statistics as PyTorch's forward does.
        var parameters = net.Parameters.ToArray();
        net.TrainStep(x, targets, new Sgd(1e-30f));
        Assert.Equal(parameters, net.Parameters.ToArray());
        TorchNetworkTests.AssertClose(f.Doubles("running_mean_after").Concat(f.Doubles("running_var_after")).ToArray(), net.State.ToArray(), "running statistics");
    }

    [Fact]
    public void Training_mode_backward_matches_central_differences()
    {
        // The training-mode loss (batch statistics) is ComputeGradients' return value, so that is what is differentiated.
        var net = new ImgBatchNorm(seed: 4);
        var rng = new Rng(12);
        const int batch = 5;
        var x = new float[batch * ImgBatchNorm.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1.5f, 1.5f);
        var t = new float[batch];
        for (int i = 0; i < t.Length; i++) t[i] = rng.NextInt(ImgBatchNorm.OutputSize);
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] += rng.NextUniform(-0.2f, 0.2f);

        net.ComputeGradients(x, t);
        var analytic = net.Gradients.ToArray();
        const float eps = 2e-3f;
        double worst = 0, norm = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            float saved = parameters[i];
            parameters[i] = saved + eps;
            double plus = net.ComputeGradients(x, t);
            parameters[i] = saved - eps;
            double minus = net.ComputeGradients(x, t);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            worst = Math.Max(worst, Math.Abs(numeric - analytic[i]));
            norm = Math.Max(norm, Math.Abs(numeric));
            Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"parameter {i}: fd {numeric:G5} vs {analytic[i]:G5}");
        }
        Assert.True(norm > 1e-3, "the gradient is (nearly) zero: the check would prove nothing");
    }

    [Fact]
    public void A_skipped_step_leaves_the_running_statistics_alone()
    {
        var net = new ImgBatchNorm(seed: 1);
        var x = new float[4 * ImgBatchNorm.InputSize];
        var t = new float[4];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 7) * 0.1f;
        net.TrainStep(x, t, new Adam(0.01f));
        var state = net.State.ToArray();
        var parameters = net.Parameters.ToArray();
        x[5] = float.NaN;
        Assert.True(float.IsNaN(net.TrainStep(x, t, new Adam(0.01f))));
        Assert.Equal(state, net.State.ToArray());
        Assert.Equal(parameters, net.Parameters.ToArray());
    }

    [Fact]
    public void Training_on_one_sample_per_feature_is_refused_with_a_clear_message()
    {
        var net = new TorchBatchNorm1d();
        var e = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[7], new float[7], new Sgd(0.1f)));
        Assert.Contains("batches of 2 or more", e.Message);
        // Inference has no such limit.
        net.Predict(new float[7], new float[7]);
    }

    [Fact]
    public void Weight_files_carry_the_running_statistics()
    {
        var net = new ImgBatchNorm(seed: 2);
        var rng = new Rng(5);
        var x = new float[8 * ImgBatchNorm.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1f, 1f);
        var t = new float[8];
        for (int step = 0; step < 3; step++) net.TrainStep(x, t, new Adam(0.01f));
        Assert.Contains(net.State.ToArray(), v => v != 0 && v != 1);

        using var stream = new MemoryStream();
        net.Save(stream);
        Assert.Equal(24 + 4 * (ImgBatchNorm.ParameterCount + ImgBatchNorm.StateCount) + 4, stream.Length);
        stream.Position = 0;
        var loaded = new ImgBatchNorm(seed: 9);
        loaded.Load(stream);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(net.State.ToArray(), loaded.State.ToArray());
        var a = net.Predict(x);
        Assert.Equal(a, loaded.Predict(x));
    }

    [Fact]
    public void Early_stopping_restores_the_running_statistics_of_the_best_epoch()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, validation) = data.SplitStratified(0.3, seed: 1);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(validation);
        var net = new DigitsBatchNormNet();
        // A learning rate far too high makes validation loss rise after the first epochs.
        var history = net.Fit(train, new FitOptions { Epochs = 12, BatchSize = 16, Optimizer = new Sgd(0.5f, momentum: 0.9f), Validation = validation, Patience = 2, Seed = 3 });
        Assert.True(history.BestEpoch < history.Epochs[^1].Epoch, "the run should have stopped after a worse epoch");
        double best = history.Epochs.First(e => e.Epoch == history.BestEpoch).ValidationLoss;
        Assert.Equal(best, net.Evaluate(validation).Loss, 5);
    }
}
