using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Compiled.Kernels;
using Compiled.Tests.Interop;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Docs;

/// <summary>
/// The examples of docs/runtime-reference.md, each between "// example: name" and "// end" markers, with checks
/// after it; <see cref="Every_documented_example_is_in_this_file"/> keeps the page and this file in step.
/// </summary>
public sealed class RuntimeReferenceExamplesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("compiled-reference-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---------------------------------------------------------------- training loop

    [Fact]
    public void Trainer_FitOptions_FitHistory_EpochReport()
    {
        // example: Trainer
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        var net = new DigitsNet();
        var options = new FitOptions { Epochs = 5, Optimizer = new Adam(0.003f), Validation = test, Seed = 2 };
        FitHistory history = Trainer.Fit(net, train, options); // the same as net.Fit(train, options)
        EpochReport last = history.Epochs[^1];
        Console.WriteLine(last); // epoch 5/5: train loss …, validation loss …, validation accuracy …
        // end
        Assert.Equal(5, history.Epochs.Count);
        Assert.Equal(5, last.Epoch);
        Assert.False(history.StoppedEarly);
        Assert.True(last.ValidationAccuracy > 0.85, $"validation accuracy {last.ValidationAccuracy}");
        Assert.True(last.TrainLoss < history.Epochs[0].TrainLoss);
    }

    [Fact]
    public void FitHistory_csv_and_training_accuracy()
    {
        var train = TestData.Load("digits.csv.gz");
        var net = new DigitsNet();
        string path = Path.Combine(_directory, "history.csv");
        // example: FitHistory
        FitHistory history = net.Fit(train, new FitOptions { Epochs = 3, EvaluateTraining = true });
        double accuracy = history.Epochs[^1].TrainAccuracy; // NaN unless EvaluateTraining
        history.WriteCsv(path);                             // one row per epoch, under a header
        // end
        Assert.InRange(accuracy, 0.5, 1.0);
        Assert.Equal(4, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void BatchReport_progress()
    {
        // example: BatchReport
        var reports = new List<BatchReport>();
        var net = new DigitsNet();
        var options = new FitOptions { Epochs = 1, BatchSize = 100, BatchProgress = reports.Add, BatchProgressInterval = 6 };
        net.Fit(TestData.Load("digits.csv.gz"), options); // 1,797 samples: 18 batches
        // end
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(18, r.Batches));
        Assert.Equal(6, reports[0].Batch);
        Assert.Equal(600, reports[0].Samples);
        Assert.True(double.IsFinite(reports[0].Loss));
    }

    [Fact]
    public void ConsoleProgress_writes_the_epoch_reports()
    {
        // example: ConsoleProgress
        var output = new StringWriter();
        var options = new FitOptions { Epochs = 2 };
        new ConsoleProgress(output, live: false).Attach(options); // new ConsoleProgress() for the console itself
        new DigitsNet(seed: 1).Fit(TestData.Load("digits.csv.gz"), options);
        // output: "epoch 1/2: train loss …" and "epoch 2/2: …", one line each
        // end
        string[] lines = output.ToString().Split(output.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/2: train loss ", lines[0]);
        Assert.StartsWith("epoch 2/2: train loss ", lines[1]);
    }

    [Fact]
    public void EarlyStopping_restores_the_best_epoch()
    {
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        var net = new DigitsNet();
        // example: EarlyStoppingMonitor
        var options = new FitOptions
        {
            Epochs = 100, Optimizer = new Adam(0.003f), Validation = test,
            Patience = 3, Monitor = EarlyStoppingMonitor.ValidationAccuracy,
        };
        FitHistory history = net.Fit(train, options);
        // the network now holds the weights of history.BestEpoch
        // end
        Assert.True(history.StoppedEarly);
        Assert.InRange(history.BestEpoch, 1, history.Epochs.Count);
        double best = history.Epochs[history.BestEpoch - 1].ValidationAccuracy;
        Assert.Equal(best, net.Evaluate(test).Accuracy, 12);
    }

    [Fact]
    public void EvaluationResult_of_a_network()
    {
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        var net = new DigitsNet();
        net.Fit(train, new FitOptions { Epochs = 5, Optimizer = new Adam(0.003f) });
        // example: EvaluationResult
        EvaluationResult result = net.Evaluate(test);
        Console.WriteLine($"loss {result.Loss:F4}, accuracy {result.Accuracy:P2} on {result.Count} samples");
        // end
        Assert.Equal(test.Count, result.Count);
        Assert.True(result.Accuracy > 0.85);
        Assert.True(double.IsNaN(result.MeanAbsoluteError));
    }

    [Fact]
    public void TrainingDivergedException_on_a_nan_input()
    {
        // example: TrainingDivergedException
        var bad = new Dataset(new float[] { 1f, float.NaN }, featureCount: 2, targets: new float[] { 0f }, targetCount: 1);
        var net = new RegressionNet();
        TrainingDivergedException? thrown = null;
        try { net.Fit(bad); }
        catch (TrainingDivergedException e) { thrown = e; } // the weights of the last finite step are kept
        // end
        Assert.NotNull(thrown);
        Assert.Equal(1, thrown.Epoch);
        Assert.Equal(1, thrown.Step);
        Assert.Equal(new RegressionNet().Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void INetwork_through_the_interface()
    {
        // example: INetwork
        INetwork net = new DigitsNet();
        float[] sample = TestData.Load("digits.csv.gz").FeatureRow(0).ToArray();
        var probabilities = new float[net.OutputSize];
        net.Predict(sample, probabilities);
        Console.WriteLine($"{net.ParameterCount} parameters: {net.Architecture}");
        // end
        Assert.Equal(64 * 64 + 64 + 64 * 10 + 10, net.ParameterCount);
        Assert.Equal(10, net.OutputSize);
        Assert.Equal(1, net.TargetSize);
        Assert.Equal(new DigitsNet().Predict(sample), probabilities);
    }

    [Fact]
    public void Rng_is_reproducible()
    {
        // example: Rng
        var rng = new Rng(42);
        int[] order = { 0, 1, 2, 3, 4, 5 };
        rng.Shuffle(order);
        float u = rng.NextUniform(-1f, 1f);
        float z = rng.NextGaussian();
        // end
        var again = new Rng(42);
        int[] order2 = { 0, 1, 2, 3, 4, 5 };
        again.Shuffle(order2);
        Assert.Equal(order2, order);
        Assert.Equal(again.NextUniform(-1f, 1f), u);
        Assert.Equal(again.NextGaussian(), z);
        Assert.Equal(Enumerable.Range(0, 6), order.OrderBy(i => i));
        Assert.InRange(u, -1f, 1f);
    }

    // ---------------------------------------------------------------- optimizers and schedules

    [Fact]
    public void Sgd_one_step_by_hand()
    {
        // example: Sgd
        var sgd = new Sgd(learningRate: 0.1f);
        float[] parameters = { 1f, -2f };
        sgd.Step(parameters, new float[] { 0.5f, -1f }); // p -= 0.1·g
        // end
        Assert.Equal(0.95f, parameters[0], 6);
        Assert.Equal(-1.9f, parameters[1], 6);
        Assert.Equal(1, sgd.StepCount);
    }

    [Fact]
    public void Momentum_forms_two_steps_by_hand()
    {
        // example: MomentumForm
        float[] a = { 1f }, b = { 1f };
        var pytorch = new Sgd(0.1f, momentum: 0.9f);                               // v = μv + g;  p −= η·v
        var sutskever = new Sgd(0.1f, momentum: 0.9f, form: MomentumForm.Sutskever); // v = μv − η·g; p += v
        for (int step = 0; step < 2; step++)
        {
            pytorch.Step(a, new float[] { 1f });
            sutskever.Step(b, new float[] { 1f });
        }
        // end
        Assert.Equal(0.71f, a[0], 6); // 1 − 0.1·1 − 0.1·1.9
        Assert.Equal(0.71f, b[0], 6); // the forms agree while the rate is constant
    }

    [Fact]
    public void Adam_and_AdamW_first_step_by_hand()
    {
        // example: Adam
        float[] p = { 1f }, q = { 1f };
        new Adam(learningRate: 0.001f).Step(p, new float[] { 3f });                    // first step: p −= η·g/|g|
        new AdamW(learningRate: 0.001f, weightDecay: 0.01f).Step(q, new float[] { 3f }); // also p −= η·λ·p
        // end
        Assert.Equal(0.999f, p[0], 6);
        Assert.Equal(0.99899f, q[0], 6);
    }

    [Fact]
    public void AdaGrad_two_steps_by_hand()
    {
        // example: AdaGrad
        var adagrad = new AdaGrad(learningRate: 0.01f);
        float[] p = { 1f };
        adagrad.Step(p, new float[] { 2f }); // G = 4: p −= 0.01·2/√4
        adagrad.Step(p, new float[] { 2f }); // G = 8: p −= 0.01·2/√8
        // end
        Assert.Equal(1f - 0.01f - 0.01f / MathF.Sqrt(2f), p[0], 6);
    }

    [Fact]
    public void RmsProp_one_step_by_hand()
    {
        // example: RmsProp
        var rmsprop = new RmsProp(learningRate: 0.01f, alpha: 0.99f);
        float[] p = { 1f };
        rmsprop.Step(p, new float[] { 2f }); // v = 0.01·4: p −= 0.01·2/√0.04
        // end
        Assert.Equal(0.9f, p[0], 5);
    }

    [Fact]
    public void Optimizer_clipping_and_state_round_trip()
    {
        // example: Optimizer
        var adam = new Adam(0.01f) { ClipNorm = 1f };
        float[] p = { 1f, 1f };
        adam.Step(p, new float[] { 30f, 40f }); // clipped to norm 1 first
        var saved = new MemoryStream();
        adam.SaveState(saved);
        var resumed = new Adam(0.01f) { ClipNorm = 1f };
        resumed.LoadState(new MemoryStream(saved.ToArray()));
        // end
        Assert.Equal(1, resumed.StepCount);
        float[] q = (float[])p.Clone();
        adam.Step(p, new float[] { 0.3f, -0.4f });
        resumed.Step(q, new float[] { 0.3f, -0.4f });
        Assert.Equal(p, q);
        Assert.True(Optimizer.AllFinite(p));
        Assert.False(adam.TryStep(p, new float[] { float.NaN, 0f }));
        Assert.Equal(q, p);
    }

    [Fact]
    public void LearningRateSchedule_values_by_hand()
    {
        // example: LearningRateSchedule
        var step = LearningRateSchedule.Step(stepSize: 10, gamma: 0.5f);
        float rate11 = step.Rate(11, 0.1f);                                 // 0.1·0.5^⌊10/10⌋ = 0.05
        var warm = LearningRateSchedule.Warmup(5, then: LearningRateSchedule.Cosine(20));
        float rate1 = warm.Rate(1, 0.1f);                                    // 0.1·1/5 = 0.02
        var options = new FitOptions { Optimizer = new Sgd(0.1f, momentum: 0.9f), Schedule = warm };
        // end
        Assert.Equal(0.05f, rate11, 6);
        Assert.Equal(0.02f, rate1, 6);
        Assert.Equal(0.1f, warm.Rate(6, 0.1f), 6); // the cosine's first epoch
        Assert.Equal(0.1f * 0.5f, LearningRateSchedule.Exponential(0.5f).Rate(2, 0.1f), 6);
        Assert.Equal(0.1f, LearningRateSchedule.Constant().Rate(50, 0.1f));
        Assert.Same(warm, options.Schedule);
    }

    [Fact]
    public void ReduceOnPlateau_by_hand()
    {
        // example: ReduceOnPlateauSchedule
        var plateau = new ReduceOnPlateauSchedule(factor: 0.5f, patience: 1);
        plateau.Observe(1, validationLoss: 1.0);
        plateau.Observe(2, validationLoss: 1.0); // one epoch without improvement: tolerated
        plateau.Observe(3, validationLoss: 1.0); // two: the rate halves
        float rate = plateau.Rate(4, 0.1f);
        // end
        Assert.Equal(0.05f, rate, 6);
    }

    // ---------------------------------------------------------------- data

    [Fact]
    public void Dataset_basics()
    {
        // example: Dataset
        var data = Dataset.FromLabels(new float[] { 0f, 0f, 1f, 1f, 2f, 2f }, featureCount: 2, labels: new[] { 0, 1, 1 });
        Dataset firstTwo = data.Subset(new[] { 0, 1 });
        var (train, test) = data.Split(testFraction: 1.0 / 3, seed: 4);
        int classes = data.ClassCount();             // 2: the largest label plus one
        ReadOnlySpan<float> row = data.FeatureRow(2); // { 2, 2 }
        // end
        Assert.Equal(3, data.Count);
        Assert.Equal(2, firstTwo.Count);
        Assert.Equal(new[] { 0, 1 }, firstTwo.Labels());
        Assert.Equal(2, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal(2, classes);
        Assert.Equal(new[] { 2f, 2f }, row.ToArray());
    }

    [Fact]
    public void Csv_loading()
    {
        string path = Path.Combine(_directory, "table.csv");
        File.WriteAllText(path, "a,b,price\n1,2,3\n4,5,6\n");
        // example: Csv
        Dataset table = Csv.Load(path);                                      // header, last column is the target
        Dataset byName = Csv.Load(path, targetColumns: new[] { "a" });       // target chosen by name
        Dataset digits = Csv.LoadUciClassification(TestData.Path("digits.csv.gz"));
        // end
        Assert.Equal(2, table.Count);
        Assert.Equal(2, table.FeatureCount);
        Assert.Equal(new[] { 3f, 6f }, table.Targets);
        Assert.Equal(new[] { 1f, 4f }, byName.Targets);
        Assert.Equal(new[] { 2f, 3f, 5f, 6f }, byName.Features);
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
    }

    [Fact]
    public void Idx_from_a_stream()
    {
        // example: Idx
        byte[] file = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 51, 102, 255 }; // one 2×2 image
        float[] pixels = Idx.ReadImages(new MemoryStream(file), out int count, out int rows, out int columns);
        // end
        Assert.Equal((1, 2, 2), (count, rows, columns));
        Assert.Equal(new[] { 0f, 0.2f, 0.4f, 1f }, pixels);
        int[] labels = Idx.ReadLabels(new MemoryStream(new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 7, 9 }));
        Assert.Equal(new[] { 7, 9 }, labels);
    }

    [Fact]
    public void FashionMnist_when_installed()
    {
        // example: FashionMnist
        if (FashionMnist.IsAvailable())
        {
            var (train, test) = FashionMnist.Load(); // 60,000 and 10,000 images of 784 pixels in [0, 1]
            Console.WriteLine($"{train.Count} + {test.Count}, first: {FashionMnist.ClassNames[train.Labels()[0]]}");
        }
        // end
        Assert.Equal(10, FashionMnist.ClassNames.Length);
    }

    [Fact]
    public void MinibatchLoader_covers_every_sample_once()
    {
        var data = TestData.Load("digits.csv.gz");
        // example: MinibatchLoader
        var loader = new MinibatchLoader(data, batchSize: 64, shuffle: true, seed: 1);
        loader.StartEpoch();
        int seen = 0;
        while (loader.TryNext(out Minibatch batch))
            seen += batch.Count; // batch.Features: Count × FeatureCount values, batch.Targets likewise
        // end
        Assert.Equal(data.Count, seen);
        Assert.Equal(29, loader.BatchCount);
    }

    [Fact]
    public void Scalers_fitted_on_training_data()
    {
        // example: StandardScaler
        var (train, test) = TestData.Load("digits.csv.gz").Split(0.25, seed: 1);
        var scaler = StandardScaler.Fit(train); // statistics of the training rows only
        scaler.Transform(train);
        scaler.Transform(test);
        // end
        Assert.Equal(64, scaler.FeatureCount);
        double mean = Enumerable.Range(0, train.Count).Average(i => train.FeatureRow(i)[20]);
        Assert.Equal(0, mean, 4);
    }

    [Fact]
    public void Target_scaling_and_its_inverse()
    {
        // example: MinMaxScaler
        var data = new Dataset(new float[] { 1f, 2f, 3f }, 1, new float[] { 10f, 20f, 30f }, 1);
        var targets = MinMaxScaler.FitTargets(data);
        targets.TransformTargets(data);           // 0, 0.5, 1
        float[] predicted = { 0.25f };
        targets.InverseTransform(predicted);      // back to the original units: 15
        // end
        Assert.Equal(new[] { 0f, 0.5f, 1f }, data.Targets);
        Assert.Equal(15f, predicted[0], 5);
        var features = MinMaxScaler.Fit(data);
        Assert.Equal(new[] { 1f }, features.Min);
        Assert.Equal(new[] { 3f }, features.Max);
    }

    [Fact]
    public void FeatureScaler_on_a_single_sample()
    {
        var train = TestData.Load("digits.csv.gz");
        // example: FeatureScaler
        FeatureScaler scaler = MinMaxScaler.Fit(train);
        float[] sample = TestData.Load("digits.csv.gz").FeatureRow(0).ToArray();
        scaler.Transform(sample); // one sample (or several, one after another) at prediction time
        // end
        Assert.All(sample, v => Assert.InRange(v, 0f, 1f));
        scaler.Transform(train);
        Assert.Equal(train.FeatureRow(0).ToArray(), sample);
    }

    [Fact]
    public void Imputer_median_and_indicator()
    {
        // example: Imputer
        var train = new Dataset(new float[] { 1f, 5f, float.NaN, 6f, 3f, float.NaN, 9f, 7f }, 2, new float[] { 0, 1, 0, 1 }, 1);
        var imputer = Imputer.Fit(train, ImputeStrategy.Median, addIndicator: true);
        Dataset filled = imputer.Transform(train); // NaN → the column's median, plus a 0/1 "was missing" column
        // end
        Assert.Equal(new[] { 3f, 6f }, imputer.FillValues);
        Assert.Equal(new[] { 0, 1 }, imputer.IndicatorColumns);
        Assert.Equal(4, imputer.OutputFeatureCount);
        Assert.Equal(new[] { 3f, 6f, 1f, 0f }, filled.FeatureRow(1).ToArray());
        Assert.Equal(new[] { 3f, 6f, 0f, 1f }, filled.FeatureRow(2).ToArray());
    }

    [Fact]
    public void Resampling_balances_classes()
    {
        // example: Resampling
        var imbalanced = Dataset.FromLabels(new float[] { 0, 1, 2, 3, 4 }, 1, new[] { 0, 0, 0, 0, 1 });
        Dataset over = Resampling.Oversample(imbalanced, seed: 1);   // 4 + 4: the minority drawn again
        Dataset under = Resampling.Undersample(imbalanced, seed: 1); // 1 + 1: the majority thinned
        // end
        Assert.Equal(4, over.Labels().Count(l => l == 1));
        Assert.Equal(4, over.Labels().Count(l => l == 0));
        Assert.Equal(new[] { 0, 1 }, under.Labels().OrderBy(l => l));
    }

    [Fact]
    public void CrossValidation_folds()
    {
        var data = TestData.Load("digits.csv.gz");
        // example: CrossValidation
        double total = 0;
        foreach (Fold fold in CrossValidation.StratifiedKFold(data, k: 5, seed: 1))
        {
            var baseline = new NearestNeighbors(fold.Train, k: 3);
            total += baseline.Accuracy(fold.Validation);
        }
        Console.WriteLine($"5-fold accuracy {total / 5:P2}");
        // end
        Assert.True(total / 5 > 0.95);
        var folds = CrossValidation.KFold(data, 5, seed: 1);
        Assert.Equal(data.Count, folds.Sum(f => f.Validation.Count));
        Assert.All(folds, f => Assert.Equal(data.Count, f.Train.Count + f.Validation.Count));
        Assert.Equal(Enumerable.Range(0, 5), folds.Select(f => f.Index));
    }

    [Fact]
    public void ImageAugmentation_in_place()
    {
        var images = new float[2 * 8 * 8];
        for (int i = 0; i < images.Length; i++) images[i] = i % 8 / 8f;
        float[] before = (float[])images.Clone();
        // example: ImageAugmentation
        var augment = new ImageAugmentation(channels: 1, height: 8, width: 8) { MaxShift = 1, Brightness = 0.1f };
        augment.Apply(images, count: 2, new Rng(7));      // two images, one after another, changed in place
        var options = new FitOptions { Augmentation = augment }; // or per minibatch in Fit
        // end
        Assert.NotEqual(before, images);
        Assert.Equal(64, augment.ImageSize);
        Assert.Same(augment, options.Augmentation);
    }

    // ---------------------------------------------------------------- evaluation and metrics

    [Fact]
    public void ConfusionMatrix_by_hand()
    {
        // example: ConfusionMatrix
        var matrix = new ConfusionMatrix(classCount: 2);
        matrix.Add(actual: 0, predicted: 0);
        matrix.Add(actual: 0, predicted: 1);
        matrix.Add(actual: 1, predicted: 1);
        Console.WriteLine(matrix.ToString(new[] { "cat", "dog" }));
        // end
        Assert.Equal(2.0 / 3, matrix.Accuracy, 12);
        Assert.Equal(0.5, matrix.Precision(1), 12);
        Assert.Equal(0.5, matrix.Recall(0), 12);
        Assert.Equal(2, matrix.Support(0));
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(3, matrix.Total);
        Assert.Contains("dog", matrix.ToString(new[] { "cat", "dog" }));
    }

    [Fact]
    public void Metrics_of_a_classifier()
    {
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        var net = new DigitsNet();
        net.Fit(train, new FitOptions { Epochs = 5, Optimizer = new Adam(0.003f) });
        // example: Metrics
        ConfusionMatrix confusion = Metrics.Confusion(net, test);
        double top3 = Metrics.TopKAccuracy(net, test, k: 3);
        Console.WriteLine($"accuracy {confusion.Accuracy:P2}, macro F1 {confusion.MacroF1:F3}, top-3 {top3:P2}");
        // end
        Assert.Equal(net.Evaluate(test).Accuracy, confusion.Accuracy, 12);
        Assert.True(top3 >= confusion.Accuracy);
        Assert.Equal(test.Count, confusion.Total);
    }

    [Fact]
    public void RegressionMetrics_of_a_regression()
    {
        var rng = new Rng(3);
        var x = new float[400];
        var y = new float[200];
        for (int i = 0; i < 200; i++)
        {
            x[2 * i] = rng.NextUniform(-1, 1);
            x[2 * i + 1] = rng.NextUniform(-1, 1);
            y[i] = x[2 * i] - 0.5f * x[2 * i + 1];
        }
        var data = new Dataset(x, 2, y, 1);
        // example: RegressionMetrics
        var net = new RegressionNet();
        net.Fit(data, new FitOptions { Epochs = 50, Optimizer = new Adam(0.01f) });
        RegressionMetrics metrics = Metrics.Regression(net, data);
        Console.WriteLine(metrics); // MAE …, RMSE …, R² … on 200 samples
        // end
        Assert.Equal(200, metrics.Count);
        Assert.True(metrics.RSquared > 0.95, metrics.ToString());
        Assert.True(metrics.MeanAbsoluteError <= metrics.RootMeanSquaredError);
    }

    // ---------------------------------------------------------------- baselines

    [Fact]
    public void NearestNeighbors_baseline()
    {
        // example: NearestNeighbors
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        var knn = new NearestNeighbors(train, k: 3);
        int[] predicted = knn.Predict(test);
        double accuracy = knn.Accuracy(test);
        // end
        Assert.Equal(test.Count, predicted.Length);
        Assert.True(accuracy > 0.95, $"{accuracy}");
    }

    [Fact]
    public void LogisticRegression_baseline()
    {
        var (train, test) = TestData.Load("digits.csv.gz").SplitStratified(0.25, seed: 1);
        // example: LogisticRegression
        var scaler = StandardScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        var logistic = LogisticRegression.Fit(train, l2: 1e-3);
        int first = logistic.Predict(test.FeatureRow(0));
        Console.WriteLine($"{logistic.Accuracy(test):P2} after {logistic.Iterations} L-BFGS iterations");
        // end
        Assert.True(logistic.Accuracy(test) > 0.9);
        Assert.InRange(first, 0, 9);
        Assert.Equal(10, logistic.ClassCount);
        Assert.True(logistic.Converged);
    }

    [Fact]
    public void LinearRegression_recovers_a_plane()
    {
        // example: LinearRegression
        var data = new Dataset(new float[] { 0, 0, 1, 0, 0, 1, 1, 1 }, 2, new float[] { 1, 3, -2, 0 }, 1); // y = 2a − 3b + 1
        var linear = LinearRegression.Fit(data);
        float[] y = linear.Predict(new float[] { 2f, 2f }); // −1
        // end
        Assert.Equal(2, linear.Weight(0), 4);
        Assert.Equal(-3, linear.Weight(1), 4);
        Assert.Equal(1, linear.Intercept(), 4);
        Assert.Equal(-1f, y[0], 4);
    }

    // ---------------------------------------------------------------- serialization and interop

    [Fact]
    public void WeightFile_round_trip()
    {
        string path = Path.Combine(_directory, "digits.weights");
        // example: WeightFile
        var net = new DigitsNet(seed: 1);
        WeightFile.Save(path, net);   // what net.Save(path) does
        var copy = new DigitsNet(seed: 2);
        WeightFile.Load(path, copy);  // checked: magic, version, architecture, CRC-32
        // end
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
        Assert.Throws<InvalidDataException>(() => WeightFile.Load(path, new RegressionNet()));
    }

    [Fact]
    public void Safetensors_round_trip()
    {
        // example: Safetensors
        var net = new DigitsNet(seed: 1);
        var stream = new MemoryStream();
        Safetensors.Write(stream, net); // PyTorch's state_dict names: dense1.weight, dense1.bias, …
        var copy = new DigitsNet(seed: 2);
        Safetensors.Read(new MemoryStream(stream.ToArray()), copy);
        // end
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void Onnx_export_bytes()
    {
        string path = Path.Combine(_directory, "digits.onnx");
        // example: Onnx
        var net = new DigitsNet();
        Onnx.Save(path, net);             // opset 13: "input" [N, 64] → "output" [N, 10]
        byte[] model = Onnx.ToBytes(net); // the same bytes in memory
        // end
        Assert.Equal(13, Onnx.Opset);
        Assert.Equal(File.ReadAllBytes(path), model);
    }

    [Fact]
    public void QuantizedNetwork_section()
    {
        string path = Path.Combine(Path.GetTempPath(), $"int8-{Guid.NewGuid():N}.cmpq");
        try
        {
            // example: QuantizedNetwork
            var net = new DigitsNet();
            QuantizedNetwork int8 = QuantizedNetwork.Quantize(net); // a copy: later changes to net are not seen
            float[] logits = int8.Predict(new float[64]);           // one sample in, OutputSize values out
            int8.Save(path);
            QuantizedNetwork shipped = QuantizedNetwork.Load(path);
            // end
            Assert.Equal(10, logits.Length);
            float[] ones = Enumerable.Repeat(1f, 64).ToArray(), before = int8.Predict(ones);
            Assert.Equal(before, shipped.Predict(ones));
            Assert.Contains(before, v => v != 0f);
            net.Parameters.Fill(0f);
            Assert.Equal(before, int8.Predict(ones)); // the copy kept the weights
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PackedNetwork_section()
    {
        // example: PackedNetwork
        var net = new DigitsNet();
        PackedNetwork packed = PackedNetwork.Pack(net);        // a copy: later changes to net are not seen
        float[] logits = packed.Predict(new float[128 * 64]); // 128 samples in, 128 × OutputSize values out
        // end
        Assert.Equal(128 * 10, logits.Length);
        float[] ones = Enumerable.Repeat(1f, 128 * 64).ToArray(), before = packed.Predict(ones), own = new float[128 * 10];
        net.Predict(ones, own);
        Assert.True(before.Zip(own).All(t => Math.Abs(t.First - t.Second) <= 1e-5f * (1 + Math.Abs(t.Second))));
        Assert.Contains(before, v => v != 0f);
        net.Parameters.Fill(0f);
        Assert.Equal(before, packed.Predict(ones)); // the copy kept the weights
    }

    [Fact]
    public void TensorInfo_table()
    {
        // example: TensorInfo
        foreach (TensorInfo tensor in DigitsNet.Tensors)
            Console.WriteLine(tensor); // e.g. "dense1.weight [64, 64] (Parameters at 0)"
        TensorInfo first = DigitsNet.Tensors[0];
        Span<float> values = new DigitsNet().Parameters.Slice(first.Offset, first.Count);
        // end
        Assert.Equal(TensorStore.Parameters, first.Store);
        Assert.Equal(new[] { 64, 64 }, first.Shape);
        Assert.Equal(4096, values.Length);
        Assert.Equal(DigitsNet.ParameterCount, DigitsNet.Tensors.Where(t => t.Store == TensorStore.Parameters).Sum(t => t.Count));
    }

    [Fact]
    public void LayerInfo_table()
    {
        // example: LayerInfo
        LayerInfo conv = DigitsOnnxCnn.Layers[0];
        Console.WriteLine(conv); // name (Conv2D) [1, 8, 8] → [8, 8, 8]
        LayerWindow window = conv.Window!;
        int kernel = window.KernelHeight; // 3, padded by 1 on each side ("Same")
        // end
        Assert.Equal(LayerKind.Conv2D, conv.Kind);
        Assert.Equal(new[] { 1, 8, 8 }, conv.InputShape);
        Assert.Equal(new[] { 8, 8, 8 }, conv.OutputShape);
        Assert.Equal(3, kernel);
        Assert.Equal(1, window.PadTop);
        Assert.Contains(DigitsOnnxCnn.Layers, l => l.Kind == LayerKind.BatchNorm);
    }

    // ---------------------------------------------------------------- kernels

    // example: IGemmEpilogue
    private readonly struct ReluEpilogue : IGemmEpilogue
    {
        public void Apply(Span<float> segment, int row, int column)
        {
            foreach (ref float v in segment) v = MathF.Max(v, 0f);
        }
    }
    // end

    [Fact]
    public void Sgemm_by_hand()
    {
        // example: Sgemm
        float[] a = { 1, 2, 3, 4 };   // [[1, 2], [3, 4]], row-major
        float[] b = { 1, -1, 0, -1 }; // [[1, -1], [0, -1]]
        var c = new float[4];
        Sgemm.Multiply(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2); // C = 1·A·B + 0·C
        var relu = new ReluEpilogue();
        var d = new float[4];
        Sgemm.Multiply(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, d, 2, ref relu); // max(A·B, 0)
        // end
        Assert.Equal(new float[] { 1, -3, 3, -7 }, c);
        Assert.Equal(new float[] { 1, 0, 3, 0 }, d);
        var e = new float[4];
        var none = new NoEpilogue();
        Sgemm.Multiply(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, e, 2, ref none);
        Assert.Equal(c, e);
    }

    [Fact]
    public void Convolution_by_hand()
    {
        // example: Convolution
        // 1 channel 3×3 in, one 2×2 filter, stride 1, no padding, dilation 1, 1 group: 2×2 out
        var g = new ConvGeometry(1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1, 2, 2);
        float[] input = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        float[] weights = { 1, 1, 1, 1 };
        var output = new float[g.OutputSize];
        Convolution.Forward(g, batch: 1, input, weights, bias: new float[] { 0.5f }, output);
        // end
        Assert.Equal(new[] { 12.5f, 16.5f, 24.5f, 28.5f }, output);
        Assert.Equal(4, g.WeightCount);
        Assert.Equal(2, ConvGeometry.OutputLength(3, 2, 1, 0, 0, 1));
    }

    [Fact]
    public void Pooling_by_hand()
    {
        // example: Pooling
        var g = new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2); // 2×2 windows, stride 2, no padding
        float[] input = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var max = new float[4];
        var argmax = new int[4];
        Pooling.MaxForward(g, batch: 1, input, max, argmax);
        var average = new float[4];
        Pooling.AvgForward(g, batch: 1, input, average);
        // end
        Assert.Equal(new float[] { 5, 7, 13, 15 }, max);
        Assert.Equal(new float[] { 2.5f, 4.5f, 10.5f, 12.5f }, average);
    }

    [Fact]
    public void ActivationMath_by_hand()
    {
        // example: ActivationMath
        float half = ActivationMath.Sigmoid(0f);                  // 0.5
        float zero = ActivationMath.ReLU(-3f);                    // 0
        var probabilities = new float[2];
        ActivationMath.Softmax(new float[] { 0f, MathF.Log(3f) }, probabilities, rows: 1, columns: 2); // 0.25, 0.75
        // end
        Assert.Equal(0.5f, half);
        Assert.Equal(0f, zero);
        Assert.Equal(0.25f, probabilities[0], 6);
        Assert.Equal(0.75f, probabilities[1], 6);
    }

    [Fact]
    public void LossKernels_and_MetricKernels_by_hand()
    {
        // example: LossKernels
        var gradient = new float[2];
        double sum = LossKernels.MeanSquaredError(new float[] { 1f, 2f }, new float[] { 0f, 0f }, gradient, gradientScale: 0.5f);
        // sum = 1 + 4; gradient = 2(y − t)·0.5 = { 1, 2 }
        // end
        Assert.Equal(5.0, sum, 6);
        Assert.Equal(new[] { 1f, 2f }, gradient);

        // example: MetricKernels
        float[] outputs = { 0.1f, 0.9f, 0.8f, 0.2f }; // two rows of two classes
        int correct = MetricKernels.CountArgmaxCorrect(outputs, labels: new float[] { 1f, 1f }, rows: 2, classes: 2); // 1
        // end
        Assert.Equal(1, correct);
    }

    [Fact]
    public void LayerKernels_and_ChannelBias_by_hand()
    {
        // example: LayerKernels
        var sums = new float[2];
        LayerKernels.SumRows(new float[] { 1, 2, 3, 4, 5, 6 }, rows: 3, columns: 2, sums); // { 9, 12 }
        var weights = new float[100];
        LayerKernels.InitializeUniform(weights, limit: 0.1f, new Rng(1));
        // end
        Assert.Equal(new[] { 9f, 12f }, sums);
        Assert.All(weights, w => Assert.InRange(w, -0.1f, 0.1f));

        // example: ChannelBias
        float[] data = new float[2 * 2 * 3];                       // batch 2, 2 channels, 3 values each
        ChannelBias.Add(batch: 2, channels: 2, plane: 3, bias: new float[] { 1f, -1f }, data);
        // end
        Assert.Equal(new float[] { 1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1 }, data);
    }

    [Fact]
    public void Normalizations_and_PReLU_by_hand()
    {
        // example: BatchNormalization
        var y = new float[2];
        BatchNormalization.InferenceForward(batch: 2, channels: 1, plane: 1, input: new float[] { 3f, -1f },
            gamma: new float[] { 1f }, beta: new float[] { 0f }, runningMean: new float[] { 1f },
            runningVariance: new float[] { 4f }, epsilon: 0f, y);  // (x − 1)/2 = { 1, −1 }
        // end
        Assert.Equal(new[] { 1f, -1f }, y);

        // example: LayerNormalization
        var z = new float[2];
        LayerNormalization.Forward(rows: 1, size: 2, input: new float[] { 1f, 3f },
            gamma: new float[] { 1f, 1f }, beta: new float[] { 0f, 0f }, epsilon: 0f, z); // { −1, 1 }
        // end
        Assert.Equal(-1f, z[0], 5);
        Assert.Equal(1f, z[1], 5);

        // example: ParametricRelu
        var p = new float[2];
        ParametricRelu.Forward(rows: 1, channels: 1, plane: 2, input: new float[] { -4f, 2f }, slopes: new float[] { 0.25f }, p); // { −1, 2 }
        // end
        Assert.Equal(new[] { -1f, 2f }, p);
    }

    // ---------------------------------------------------------------- the page and this file

    /// <summary>Every ```csharp block of docs/runtime-reference.md is in this file (whitespace aside), so the page cannot drift.</summary>
    [Fact]
    public void Every_documented_example_is_in_this_file()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Compiled.sln"))) root = Path.GetDirectoryName(root) ?? throw new FileNotFoundException("Compiled.sln above the test binaries");
        string doc = File.ReadAllText(Path.Combine(root, "docs", "runtime-reference.md"));
        string test = Normalize(File.ReadAllText(Path.Combine(root, "tests", "Compiled.Tests", "Docs", "RuntimeReferenceExamplesTests.cs")));

        var blocks = Regex.Matches(doc, "```csharp\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(blocks.Count >= 40, $"only {blocks.Count} examples found");
        foreach (Match block in blocks)
            Assert.True(test.Contains(Normalize(block.Groups[1].Value), StringComparison.Ordinal), $"not in the test file:\n{block.Groups[1].Value}");
    }

    private static string Normalize(string text) => Regex.Replace(text.Replace("\r", ""), "\\s+", " ").Trim();
}
