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
int epochs = 0;
string? directory = null, save = null, historyPath = null;
string model = "mlp";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0: epochs = e; i++; break;
        case "--data" when i + 1 < args.Length: directory = args[++i]; break;
        case "--save" when i + 1 < args.Length: save = args[++i]; break;
        case "--history" when i + 1 < args.Length: historyPath = args[++i]; break;
        case "--model" when i + 1 < args.Length && args[i + 1] is "mlp" or "cnn" or "cnn-bn": model = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: FashionMnist [--model mlp|cnn|cnn-bn] [--epochs N] [--data DIR] [--save FILE] [--history FILE.csv]");
            return 2;
    }
}

if (FashionMnist.IsAvailable(directory))
    return RunFashionMnist(directory, epochs == 0 ? model switch { "mlp" => 30, "cnn-bn" => 20, _ => 15 } : epochs, save, model, historyPath);

Console.WriteLine($"Fashion-MNIST was not found in {directory ?? FashionMnist.DefaultDirectory}.");
Console.WriteLine("Install it with:  sudo apt-get install dataset-fashion-mnist");
Console.WriteLine("Training on the embedded UCI digits set instead.");
Console.WriteLine();
return RunDigits(epochs == 0 ? 60 : epochs, save, model != "mlp", historyPath);

static int RunFashionMnist(string? directory, int epochs, string? save, string model, string? historyPath)
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
    return Report(net, Trainer.Fit(net, fit, options), net.Evaluate(test.Features, test.Targets), save, historyPath);
}

static int RunDigits(int epochs, string? save, bool cnn, string? historyPath)
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
    return Report(net, Trainer.Fit(net, train, options), net.Evaluate(test.Features, test.Targets), save, historyPath);
}

// "Establish a baseline first": what 3 nearest neighbours get on the same split, for the network to beat.
static void PrintBaseline(Dataset train, Dataset test)
{
    var clock = Stopwatch.StartNew();
    double accuracy = new NearestNeighbors(train, k: 3).Accuracy(test);
    Console.WriteLine($"Baseline: 3-nearest-neighbour test accuracy {accuracy:F4} ({clock.Elapsed.TotalSeconds:F1} s)");
}

static int Report(INetwork net, FitHistory history, EvaluationResult test, string? save, string? historyPath)
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
    return 0;
}
