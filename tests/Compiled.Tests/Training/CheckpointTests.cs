using System;
using System.IO;
using System.Linq;
using Compiled.Tests.Data;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>A small CNN on the 8×8 digits with every kind of training state: BatchNorm statistics and dropout.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(1, 8, 8)]
[Conv2D(6, 3, Activation.ReLU, Pad = 1)]
[BatchNorm]
[MaxPool(2)]
[Dense(24, Activation.ReLU)]
[Dropout(0.3)]
[Dense(10)]
public partial class CheckpointNet;

/// <summary>
/// Training checkpoints (<see cref="FitOptions.CheckpointPath"/>, <see cref="FitOptions.ResumeFrom"/>): a run cut
/// anywhere at an epoch boundary and resumed into a fresh network and optimizer must end with the same bits as one
/// never interrupted (the oracle: that uninterrupted run), with every piece of state in play; and a checkpoint that
/// cannot continue the run is refused before anything changes.
/// </summary>
public sealed class CheckpointTests
{
    private static (Dataset Train, Dataset Validation) Digits()
    {
        var data = TestData.Load("digits.csv.gz");
        MinMaxScaler.Fit(data).Transform(data);
        var (train, validation) = data.SplitStratified(0.3, seed: 4);
        return (train, validation);
    }

    /// <summary>Options using every kind of state: Adam's moments and step count, a plateau schedule after a warm-up, augmentation, early stopping.</summary>
    private const float Rate = 0.1f;

    private static FitOptions Options(Dataset validation, int epochs, string? checkpoint = null, string? resume = null) => new()
    {
        Epochs = epochs,
        BatchSize = 64,
        Seed = 17,
        Optimizer = new Adam(Rate),
        Schedule = LearningRateSchedule.Warmup(1, new ReduceOnPlateauSchedule(factor: 0.5f, patience: 0)),
        Augmentation = new ImageAugmentation(1, 8, 8) { MaxShift = 1, HorizontalFlip = false },
        Validation = validation,
        Patience = 3,
        CheckpointPath = checkpoint,
        ResumeFrom = resume,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_run_resumed_after_any_epoch_ends_bit_for_bit_as_the_uninterrupted_run(int cut)
    {
        var (train, validation) = Digits();
        using var dir = new TempDirectory();
        var whole = new CheckpointNet();
        var wholeHistory = whole.Fit(train, Options(validation, 6));

        string path = System.IO.Path.Combine(dir.Path, "run.ckpt");
        var first = new CheckpointNet();
        first.Fit(train, Options(validation, cut, checkpoint: path));
        // A fresh network (other initial weights) and a fresh optimizer: everything must come from the file.
        var resumed = new CheckpointNet(seed: 99);
        var resumedHistory = resumed.Fit(train, Options(validation, 6, resume: path));

        Assert.True(whole.Parameters.SequenceEqual(resumed.Parameters), $"cut after epoch {cut}: the weights differ");
        Assert.True(whole.State.SequenceEqual(resumed.State), $"cut after epoch {cut}: the BatchNorm statistics differ");
        Assert.Equal(wholeHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)),
            resumedHistory.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss, e.LearningRate)));
        Assert.Equal(wholeHistory.BestEpoch, resumedHistory.BestEpoch);
        Assert.Equal(wholeHistory.StoppedEarly, resumedHistory.StoppedEarly);
        // The learning rate did fall on a plateau at some point (halved from Adam's rate after the warm-up epoch), so the
        // schedule's state mattered.
        Assert.Contains(wholeHistory.Epochs, e => e.LearningRate <= Rate / 2 && e.Epoch > 1);
    }

    [Fact]
    public void Checkpoints_are_written_every_interval_and_after_the_last_epoch_without_changing_the_run()
    {
        var (train, validation) = Digits();
        using var dir = new TempDirectory();
        string path = System.IO.Path.Combine(dir.Path, "every2.ckpt");
        var plain = new CheckpointNet();
        plain.Fit(train, Options(validation, 3));
        var checkpointed = new CheckpointNet();
        int written = 0;
        var options = Options(validation, 3, checkpoint: path);
        DateTime last = default;
        options.CheckpointInterval = 2;
        options.Progress = r =>
        {
            // Before epoch r's checkpoint: the file holds epoch 2's after epoch 3 begins (written at 2 and at 3).
            if (File.Exists(path) && File.GetLastWriteTimeUtc(path) != last) { written++; last = File.GetLastWriteTimeUtc(path); }
        };
        checkpointed.Fit(train, options);
        Assert.True(plain.Parameters.SequenceEqual(checkpointed.Parameters), "writing checkpoints changed the run");
        // The file after the run is the last epoch's: resuming it for 3 epochs trains nothing more.
        var again = new CheckpointNet(seed: 5);
        var history = again.Fit(train, Options(validation, 3, resume: path));
        Assert.Equal(3, history.Epochs.Count);
        Assert.True(plain.Parameters.SequenceEqual(again.Parameters));
        Assert.Equal(1, written); // only epoch 2's was there when epoch 3's report came
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f != path); // no temporary file left
    }

    [Fact]
    public void A_checkpoint_that_cannot_continue_the_run_is_refused_and_nothing_changes()
    {
        var (train, validation) = Digits();
        using var dir = new TempDirectory();
        string path = System.IO.Path.Combine(dir.Path, "run.ckpt");
        new CheckpointNet().Fit(train, Options(validation, 2, checkpoint: path));

        void Refused(string expected, FitOptions options, Dataset? data = null)
        {
            var net = new CheckpointNet(seed: 7);
            float[] before = net.Parameters.ToArray();
            var error = Assert.ThrowsAny<Exception>(() => net.Fit(data ?? train, options));
            Assert.Contains(expected, error.Message);
            Assert.True(before.AsSpan().SequenceEqual(net.Parameters), "a refused resume changed the weights");
        }

        var otherSeed = Options(validation, 4, resume: path);
        otherSeed.Seed = 18;
        Refused("Seed = 17", otherSeed);
        var otherBatch = Options(validation, 4, resume: path);
        otherBatch.BatchSize = 32;
        Refused("batch size was 64", otherBatch);
        var noAugmentation = Options(validation, 4, resume: path);
        noAugmentation.Augmentation = null;
        Refused("with augmentation", noAugmentation);
        var sgd = Options(validation, 4, resume: path);
        sgd.Optimizer = new Sgd(0.01f);
        Refused("Adam", sgd);
        Refused("samples", Options(validation, 4, resume: path), train.Subset(Enumerable.Range(0, train.Count - 1).ToArray()));

        // Another network: the architecture signature differs.
        var other = new Compiled.Tests.Networks.DigitsNet(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => other.Fit(TestData.Load("digits.csv.gz"), new FitOptions { ResumeFrom = path, Epochs = 3 }));
        Assert.Contains("another network architecture", error.Message);

        // Damaged and truncated files.
        byte[] bytes = File.ReadAllBytes(path);
        string damaged = System.IO.Path.Combine(dir.Path, "damaged.ckpt");
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(damaged, bytes);
        Refused("CRC-32", Options(validation, 4, resume: damaged));
        File.WriteAllBytes(damaged, bytes.AsSpan(0, 100).ToArray());
        Refused("damaged or truncated", Options(validation, 4, resume: damaged));
        File.WriteAllBytes(damaged, "not a checkpoint at all"u8.ToArray());
        Refused("not a training checkpoint", Options(validation, 4, resume: damaged));
    }

    [Fact]
    public void Checkpoints_need_a_library_optimizer_and_a_positive_interval()
    {
        var (train, validation) = Digits();
        var custom = Options(validation, 1, checkpoint: System.IO.Path.Combine(System.IO.Path.GetTempPath(), "never-written.ckpt"));
        custom.Optimizer = new PlainStep();
        Assert.Contains("cannot save it", Assert.Throws<ArgumentException>(() => new CheckpointNet().Fit(train, custom)).Message);
        var zero = Options(validation, 1);
        zero.CheckpointInterval = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckpointNet().Fit(train, zero));
    }

    /// <summary>An optimizer written outside the library: it has no state format.</summary>
    private sealed class PlainStep : Optimizer
    {
        public PlainStep() : base(0.01f) { }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
        {
            for (int i = 0; i < parameters.Length; i++) parameters[i] -= LearningRate * gradients[i];
        }
    }
}
