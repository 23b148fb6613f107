using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Compiled;
using FashionMnistSample;

// The main job: train an MLP (or, with --model cnn, a convolutional network) on Fashion-MNIST and report
// test accuracy and seconds per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnist [-- --model mlp|cnn|cnn-bn] [--epochs N] [--data DIR] [--save FILE]
//        [--history FILE.csv]: the per-epoch losses and accuracies, for a plot
//        [--int8 [FILE]]: also quantize the MLP's weights to 8-bit integers (QuantizedNetwork), report its test accuracy
//        and Predict latency beside fp32's, and save it to FILE if given
int epochs = 0;
string? directory = null, save = null, historyPath = null;
string model = "mlp";
bool int8 = false;
string? int8Path = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        case "--data" when i + 1 < args.Length: directory = args[++i]; break;
        case "--save" when i + 1 < args.Length: save = args[++i]; break;
        case "--history" when i + 1 < args.Length: historyPath = args[++i]; break;
        case "--model" when i + 1 < args.Length && args[i + 1] is "mlp" or "cnn" or "cnn-bn": model = args[++i]; break;
        case "--int8": int8 = true; if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) int8Path = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: FashionMnist [--model mlp|cnn|cnn-bn] [--epochs N] [--data DIR] [--save FILE] [--history FILE.csv] [--int8 [FILE]]");
            return 2;
    }
}

if (FashionMnist.IsAvailable(directory))
    return RunFashionMnist(directory, epochs == 0 ? model switch { "mlp" => 30, "cnn-bn" => 20, _ => 15 } : epochs, save, model, historyPath, (int8, int8Path));

Console.WriteLine($"Fashion-MNIST was not found in {directory ?? FashionMnist.DefaultDirectory}.");
Console.WriteLine("Install it with:  sudo apt-get install dataset-fashion-mnist");
Console.WriteLine("Training on the embedded UCI digits set instead.");
Console.WriteLine();
return RunDigits(epochs == 0 ? 60 : epochs, save, model != "mlp", historyPath, (int8, int8Path));

static int RunFashionMnist(string? directory, int epochs, string? save, string model, string? historyPath, (bool On, string? Path) int8)
{
    var clock = Stopwatch.StartNew();
    var (train, test) = FashionMnist.Load(directory);
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images, loaded in {clock.Elapsed.TotalSeconds:F1} s.");
    // Hold out 5,000 training images for validation; the test set is only touched at the end.
    var (fit, validation) = train.SplitStratified(5000.0 / train.Count, seed: 7);

    PrintBaseline(fit, test);
    INetwork net = model switch { "cnn" => new FashionCnn(), "cnn-bn" => new FashionCnnBn(), _ => new FashionMlp() };
    Console.WriteLine($"{net.Architecture}: {net.ParameterCount:N0} parameters");
    var options = new FitOptions
    {
        Epochs = epochs,
        BatchSize = 64,
        Optimizer = new Adam(learningRate: 0.001f),
        Validation = validation,
        Patience = 6,
        Seed = 1,
    };
    // The CNNs also see each training image mirrored half the time: a left-right mirrored shirt is still a
    // shirt, and the network overfits later.
    // Their validation loss creeps up (overconfidence on a few images) while the accuracy still climbs, so
    // early stopping watches the accuracy.
    if (model != "mlp")
    {
        options.Augmentation = new ImageAugmentation(1, 28, 28) { HorizontalFlip = true };
        options.Monitor = EarlyStoppingMonitor.ValidationAccuracy;
        options.Schedule = LearningRateSchedule.Cosine(epochs); // replaces the 8 % decay below
        // The cosine schedule gains most in its last epochs, at the smallest rates: do not stop early (a patience of
        // 6 cut a run at epoch 15, keeping epoch 9), but still keep the epoch with the best validation accuracy.
        options.Patience = epochs;
    }
    // A simple schedule: the learning rate decays 8 % per epoch (the callback may change it between epochs).
    options.Progress = _ => options.Optimizer.LearningRate *= 0.92f;
    // On a terminal, a live bar during each epoch (steps, loss so far, speed, time left), replaced by the epoch's
    // report; redirected output gets the epoch reports only.
    options.BatchProgressInterval = 25;
    new ConsoleProgress().Attach(options);
    return Report(net, Trainer.Fit(net, fit, options), net.Evaluate(test.Features, test.Targets), save, historyPath, test, int8);
}

static int RunDigits(int epochs, string? save, bool cnn, string? historyPath, (bool On, string? Path) int8)
{
    string path = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");
    var data = Csv.LoadUciClassification(path);
    var (train, test) = data.SplitStratified(0.25, seed: 7);
    // The scaler learns from the training images only; the test images are scaled with what it learned.
    var scaler = MinMaxScaler.Fit(train);
    scaler.Transform(train);
    scaler.Transform(test);
    Console.WriteLine($"UCI digits: {train.Count} training and {test.Count} test images (8×8).");

    PrintBaseline(train, test);
    INetwork net = cnn ? new DigitsCnn() : new DigitsMlp();
    Console.WriteLine($"{net.Architecture}: {net.ParameterCount:N0} parameters");
    var options = new FitOptions
    {
        Epochs = epochs,
        BatchSize = 32,
        Optimizer = new Adam(learningRate: 0.002f),
        Seed = 1,
        Progress = report => { if (report.Epoch % 10 == 0 || report.Epoch == 1) Console.WriteLine(report); },
    };
    return Report(net, Trainer.Fit(net, train, options), net.Evaluate(test.Features, test.Targets), save, historyPath, test, int8);
}

// "Establish a baseline first": what 3 nearest neighbours get on the same split, for the network to beat.
static void PrintBaseline(Dataset train, Dataset test)
{
    var clock = Stopwatch.StartNew();
    double accuracy = new NearestNeighbors(train, k: 3).Accuracy(test);
    Console.WriteLine($"Baseline: 3-nearest-neighbour test accuracy {accuracy:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
}

static int Report(INetwork net, FitHistory history, EvaluationResult test, string? save, string? historyPath, Dataset testSet, (bool On, string? Path) int8)
{
    double secondsPerEpoch = history.Epochs.Average(e => e.Seconds);
    Console.WriteLine();
    if (history.StoppedEarly) Console.WriteLine($"Stopped early; restored the weights of epoch {history.BestEpoch}.");
    Console.WriteLine($"Test: {test}");
    Console.WriteLine($"Test accuracy: {test.Accuracy:F4}");
    Console.WriteLine($"Seconds per epoch: {secondsPerEpoch:F3} (median {history.Epochs.Select(e => e.Seconds).OrderBy(s => s).ElementAt(history.Epochs.Count / 2):F3})");
    if (historyPath is not null)
    {
        history.WriteCsv(historyPath);
        Console.WriteLine($"History (per-epoch losses and accuracies) written to {historyPath}.");
    }
    if (save is not null)
    {
        WeightFile.Save(save, net);
        Console.WriteLine($"Weights saved to {save}.");
    }
    if (int8.On) ReportInt8(net, testSet, test.Accuracy, int8.Path);
    return 0;
}

// Quantized inference (docs/quantization.md): the same network with 8-bit weights, its accuracy and its batch-1 latency
// beside fp32's, medians of 15 rounds of 2,000 calls on one thread.
static void ReportInt8(INetwork net, Dataset test, double fp32Accuracy, string? path)
{
    Console.WriteLine();
    if (net.Layers.Any(l => l.Kind is not (LayerKind.Dense or LayerKind.Dropout or LayerKind.Flatten or LayerKind.Activation)))
    {
        Console.WriteLine("int8: QuantizedNetwork takes dense networks only (Dense, Dropout, Flatten, Activation); use --model mlp.");
        return;
    }
    var quantized = QuantizedNetwork.Quantize(net);
    float[] outputs = quantized.Predict(test.Features);
    int classes = quantized.OutputSize, correct = 0;
    for (int s = 0; s < test.Count; s++)
    {
        int best = 0;
        for (int j = 1; j < classes; j++) if (outputs[s * classes + j] > outputs[s * classes + best]) best = j;
        if (best == (int)test.TargetRow(s)[0]) correct++;
    }
    double accuracy = (double)correct / test.Count;
    Console.WriteLine($"int8 ({quantized}): test accuracy {accuracy:F4} (fp32 {fp32Accuracy:F4}, {100 * (accuracy - fp32Accuracy):+0.00;-0.00} points)");
    int saved = Compiled.Kernels.Sgemm.MaxThreads;
    Compiled.Kernels.Sgemm.MaxThreads = 1;
    float[] one = test.Features.AsSpan(0, net.InputSize).ToArray(), y = new float[net.OutputSize];
    double fp32 = MedianMicroseconds(() => net.Predict(one, y)), q8 = MedianMicroseconds(() => quantized.Predict(one, y));
    float[] batch = test.Features.AsSpan(0, 128 * net.InputSize).ToArray(), yb = new float[128 * net.OutputSize];
    double fp32Batch = MedianMicroseconds(() => net.Predict(batch, yb), 100), q8Batch = MedianMicroseconds(() => quantized.Predict(batch, yb), 100);
    Compiled.Kernels.Sgemm.MaxThreads = saved;
    Console.WriteLine($"Predict, one thread: batch 1 fp32 {fp32:F2} µs, int8 {q8:F2} µs ({fp32 / q8:F2}×); batch 128 fp32 {fp32Batch:F1} µs, int8 {q8Batch:F1} µs ({fp32Batch / q8Batch:F2}×)");
    Console.WriteLine($"Weights: fp32 {4L * net.ParameterCount:N0} bytes, int8 {quantized.WeightBytes:N0} bytes");
    if (path is not null)
    {
        quantized.Save(path);
        Console.WriteLine($"Quantized network saved to {path} ({new FileInfo(path).Length:N0} bytes).");
    }
}

static double MedianMicroseconds(Action call, int calls = 2000)
{
    // Warm up for half a second at least: the JIT compiles hot methods again, optimized, a little after their first calls.
    var warm = Stopwatch.StartNew();
    while (warm.ElapsedMilliseconds < 500) call();
    var rounds = new double[15];
    for (int r = 0; r < rounds.Length; r++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) call();
        rounds[r] = clock.Elapsed.TotalMicroseconds / calls;
    }
    Array.Sort(rounds);
    return rounds[rounds.Length / 2];
}
