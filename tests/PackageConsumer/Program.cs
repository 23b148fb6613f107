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

// The inference copies (weights packed once; int8) through the same package, trimmed and NativeAOT-compiled in CI.
float[] reference = net.Predict(test.Features), packed = PackedNetwork.Pack(net).Predict(test.Features);
float[] int8 = QuantizedNetwork.Quantize(net).Predict(test.Features);
float packedGap = 0f;
int int8Agree = 0;
for (int i = 0; i < reference.Length; i++) packedGap = MathF.Max(packedGap, MathF.Abs(packed[i] - reference[i]));
for (int s = 0; s < reference.Length / 2; s++) if ((int8[2 * s] > int8[2 * s + 1]) == (reference[2 * s] > reference[2 * s + 1])) int8Agree++;
Console.WriteLine($"PackedNetwork largest difference {packedGap:E1}; QuantizedNetwork agrees on {int8Agree} of {reference.Length / 2} classes");

bool ok = accuracy >= 0.95 && same && CircleNet.InputSize == 2 && CircleNet.OutputSize == 2
    && packedGap <= 1e-4f && int8Agree >= 0.97 * (reference.Length / 2);
Console.WriteLine(ok ? "PACKAGE CONSUMER OK" : $"PACKAGE CONSUMER FAILED (accuracy {accuracy:P1}, reloaded predictions equal: {same}, packed gap {packedGap}, int8 agreement {int8Agree})");
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
