using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// A second, independent oracle: torch.optim run for 3 steps on the same numbers (PyTorch 1.13, float64, every
/// setting rounded to float32 first), written by tests/fixtures/make_optimizer_fixtures.py into
/// Fixtures/Optimizers/*.json. Cases with no settings also check that the defaults are PyTorch's.
/// </summary>
public sealed class OptimizerTorchTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Optimizers");

    private static string[] Names() =>
        Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Cases() => new(Names());

    [Fact]
    public void Every_optimizer_has_fixtures()
    {
        var kinds = Names().Select(c => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, c + ".json"))).RootElement.GetProperty("optimizer").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "Sgd", "AdaGrad", "RmsProp", "Adam", "AdamW" }, kinds);
        Assert.True(Names().Length >= 15);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_match_torch_optim(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name + ".json")));
        var root = document.RootElement;
        var settings = root.GetProperty("settings");
        var rates = Floats(root.GetProperty("learning_rates"));
        var optimizer = Create(root.GetProperty("optimizer").GetString()!, rates[0], settings);
        var p = Floats(root.GetProperty("p0"));
        var gradients = root.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray();
        var expected = root.GetProperty("parameters").EnumerateArray().Select(e => e.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(3, expected.Length);
        for (int step = 0; step < expected.Length; step++)
        {
            optimizer.LearningRate = rates[step];
            optimizer.Step(p, gradients[step]);
            for (int i = 0; i < p.Length; i++)
            {
                // float32 arithmetic against float64: a few ulps of the parameter's scale (~1).
                double error = Math.Abs(p[i] - expected[step][i]);
                Assert.True(error <= 1e-6, $"{name}, step {step + 1}, p[{i}]: torch {expected[step][i]:R}, ours {p[i]:R}");
            }
        }
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    /// <summary>The optimizer a fixture names, with its settings passed by their C# parameter names.</summary>
    private static Optimizer Create(string kind, float lr, JsonElement settings)
    {
        float F(string name, float fallback) => settings.TryGetProperty(name, out var v) ? (float)v.GetDouble() : fallback;
        bool B(string name) => settings.TryGetProperty(name, out var v) && v.GetBoolean();
        var known = new HashSet<string> { "momentum", "nesterov", "weightDecay", "beta1", "beta2", "epsilon", "initialAccumulator", "learningRateDecay", "alpha", "centered" };
        foreach (var property in settings.EnumerateObject())
            Assert.Contains(property.Name, known);
        return kind switch
        {
            "Sgd" => new Sgd(lr, momentum: F("momentum", 0), nesterov: B("nesterov"), weightDecay: F("weightDecay", 0)),
            "AdaGrad" => settings.EnumerateObject().Any()
                ? new AdaGrad(lr, epsilon: F("epsilon", 1e-10f), initialAccumulator: F("initialAccumulator", 0), learningRateDecay: F("learningRateDecay", 0), weightDecay: F("weightDecay", 0))
                : new AdaGrad(lr),
            "RmsProp" => settings.EnumerateObject().Any()
                ? new RmsProp(lr, alpha: F("alpha", 0.99f), epsilon: F("epsilon", 1e-8f), momentum: F("momentum", 0), centered: B("centered"), weightDecay: F("weightDecay", 0))
                : new RmsProp(lr),
            "Adam" => settings.EnumerateObject().Any()
                ? new Adam(lr, beta1: F("beta1", 0.9f), beta2: F("beta2", 0.999f), epsilon: F("epsilon", 1e-8f), weightDecay: F("weightDecay", 0))
                : new Adam(lr),
            "AdamW" => settings.EnumerateObject().Any()
                ? new AdamW(lr, beta1: F("beta1", 0.9f), beta2: F("beta2", 0.999f), epsilon: F("epsilon", 1e-8f), weightDecay: F("weightDecay", 0.01f))
                : new AdamW(lr),
            _ => throw new InvalidDataException($"Unknown optimizer '{kind}' in a fixture."),
        };
    }
}
