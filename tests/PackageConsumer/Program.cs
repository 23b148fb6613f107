using System.Runtime.CompilerServices;
using Compiled;
using Compiled.Kernels;

// Points in [-1, 1]²: class 1 inside the circle of radius 0.6, class 0 outside. A small network must learn the
// circle (no straight line separates the classes), reach ≥ 95 % on held-out points, and give the same
// predictions after a save and load. Exit code 0 only if every check holds.
var (train, test) = Points(2000, seed: 1).Split(0.25, seed: 2);
var net = new CircleNet();
var history = net.Fit(train, new FitOptions { Epochs = 60, BatchSize = 32, Optimizer = new Adam(0.01f), Seed = 3 });
double accuracy = net.Evaluate(test.Features, test.Targets).Accuracy;
Console.WriteLine($"{CircleNet.ParameterCount} parameters, SGEMM path {Sgemm.Path}, dynamic code {(RuntimeFeature.IsDynamicCodeSupported ? "yes (JIT)" : "no (NativeAOT)")}");
Console.WriteLine($"final train loss {history.Epochs[^1].TrainLoss:F4}, held-out accuracy {accuracy:P1}");

string file = Path.Combine(Path.GetTempPath(), $"circle-{Environment.ProcessId}.cmpl");
net.Save(file);
var again = new CircleNet();
again.Load(file);
File.Delete(file);
bool same = net.Predict(test.Features).AsSpan().SequenceEqual(again.Predict(test.Features));

bool ok = accuracy >= 0.95 && same && CircleNet.InputSize == 2 && CircleNet.OutputSize == 2;
Console.WriteLine(ok ? "PACKAGE CONSUMER OK" : $"PACKAGE CONSUMER FAILED (accuracy {accuracy:P1}, reloaded predictions equal: {same})");
return ok ? 0 : 1;

static Dataset Points(int count, long seed)
{
    var rng = new Rng(seed);
    var features = new float[count * 2];
    var labels = new int[count];
    for (int i = 0; i < count; i++)
    {
        float x = rng.NextUniform(-1f, 1f), y = rng.NextUniform(-1f, 1f);
        features[2 * i] = x;
        features[2 * i + 1] = y;
        labels[i] = x * x + y * y < 0.36f ? 1 : 0;
    }
    return Dataset.FromLabels(features, 2, labels);
}

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 5)]
[Input(2)]
[Dense(32, Activation.Tanh)]
[Dense(2)]
public partial class CircleNet;
