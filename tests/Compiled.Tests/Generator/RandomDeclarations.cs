using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Compiled.Tests.Generator;

/// <summary>
/// A seeded random program that writes network declarations: valid ones, and ones broken in a single
/// known way (a wrong, extreme or missing argument, an odd name, a clashing member, a split partial
/// declaration). Each declaration carries what the generator must do with it: generate compiling code
/// when <see cref="Declaration.Valid"/>, else report a CMP error. The rules here are written from
/// docs/diagnostics.md, not from the generator's code.
/// </summary>
internal sealed class RandomDeclarations
{
    private readonly Random _random;

    public RandomDeclarations(int seed) => _random = new Random(seed);

    /// <summary>One test case: the source files, the class, and whether the declaration is valid.</summary>
    public sealed record Declaration(string[] Sources, string ClassName, bool Valid, string Flaw);

    private static readonly string[] Namespaces = { "", "Fuzz", "Fuzz.Deep.Er", "@event.@class", "fuzz.lower", "Dataset", "Compiled.Users" };

    private static readonly string[] ClassNames =
    {
        "Net", "NET", "net", "Model", "Dataset", "Optimizer", "Math", "Span", "Rng", "Vector256", "Sgemm", "@class", "Unsafe", "Trainer",
        "Stream", "Array", "Encoder", "N0", "Ünïcode", "_Under",
    };

    private static readonly string[] Activations = { "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus", "Swish", "Softmax" };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(double p) => _random.NextDouble() < p;

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The next declaration: about half valid, the rest with one flaw.</summary>
    public Declaration Next(int index)
    {
        string ns = Pick(Namespaces);
        string className = Pick(ClassNames);
        string loss = Pick(new[] { "MeanSquaredError", "SoftmaxCrossEntropy", "BinaryCrossEntropy", "MultiLabelBinaryCrossEntropy" });
        var layers = ValidLayers(loss);
        int inputSize = _random.Next(1, 40);

        // The flaw, if any: chosen first so that exactly one thing is wrong.
        string flaw = Chance(0.45) ? "none" : Pick(new[]
        {
            "not partial", "static", "record", "generic", "nested", "no loss", "bad loss", "bad initializer", "no input", "input 0",
            "input negative", "input rank 2", "no layers", "units 0", "units negative", "bad activation", "alpha on relu",
            "alpha negative", "alpha huge", "alpha tiny", "alpha NaN", "dropout 1", "dropout negative", "dropout NaN", "bad name",
            "duplicate name", "softmax ce one output", "bce two outputs", "softmax into bce", "too large", "layer before input",
            "reserved class name", "member Predict", "field _parameters", "own parameterless ctor", "unchained ctor",
            "primary ctor", "base without default ctor", "split partial", "layers without network", "non-constant",
        });

        var attributes = new List<string>();
        string network = flaw switch
        {
            "no loss" => $"[Network(Seed = {_random.Next()})]",
            "bad loss" => "[Network(Loss = (Loss)77)]",
            "bad initializer" => $"[Network(Loss = Loss.{loss}, Initializer = (Initializer)99)]",
            _ => $"[Network(Loss = Loss.{loss}, Seed = {(Chance(0.2) ? "long.MinValue" : _random.Next().ToString(CultureInfo.InvariantCulture))}{(Chance(0.3) ? ", Initializer = Initializer." + Pick(new[] { "Auto", "HeUniform", "HeNormal", "GlorotUniform", "GlorotNormal", "Zeros", "Constant" }) : "")})]",
        };
        if (flaw != "layers without network") attributes.Add(network);

        string input = flaw switch
        {
            "input 0" => "[Input(0)]",
            "input negative" => "[Input(-7)]",
            "input rank 2" => "[Input(8, 8)]",
            "too large" => "[Input(int.MaxValue)]",
            "non-constant" => "[Input(Sizes.Features)]",
            _ => $"[Input({inputSize})]",
        };
        var layerTexts = layers.Select(l => l.Text).ToList();
        switch (flaw)
        {
            case "no layers": layerTexts.Clear(); break;
            case "units 0": layerTexts[0] = "[Dense(0)]"; break;
            case "units negative": layerTexts[0] = "[Dense(-5, Activation.Tanh)]"; break;
            case "bad activation": layerTexts[0] = "[Dense(4, (Activation)42)]"; break;
            case "alpha on relu": layerTexts[0] = "[Dense(4, Activation.ReLU, Alpha = 0.1)]"; break;
            case "alpha negative": layerTexts[0] = "[Dense(4, Activation.LeakyReLU, Alpha = -0.5)]"; break;
            case "alpha huge": layerTexts[0] = "[Activation(Activation.ELU, Alpha = 1e300)]"; break;
            case "alpha tiny": layerTexts[0] = "[Dense(4, Activation.LeakyReLU, Alpha = 1e-50)]"; break;
            case "alpha NaN": layerTexts[0] = "[Activation(Activation.LeakyReLU, Alpha = double.NaN)]"; break;
            case "dropout 1": layerTexts[0] = "[Dropout(1.0)]"; break;
            case "dropout negative": layerTexts[0] = "[Dropout(-0.25)]"; break;
            case "dropout NaN": layerTexts[0] = "[Dropout(double.NaN)]"; break;
            case "bad name": layerTexts[0] = $"[Dense(4, Name = \"{Pick(new[] { "2fast", "has-dash", "", "with space", "ü" })}\")]"; break;
            case "duplicate name": layerTexts.Insert(0, "[Dense(4, Name = \"twin\")]"); layerTexts.Insert(0, "[Dense(5, Name = \"twin\")]"); break;
            case "softmax ce one output":
                network = network.Replace($"Loss.{loss}", "Loss.SoftmaxCrossEntropy");
                attributes[0] = network;
                layerTexts[^1] = "[Dense(1)]";
                break;
            case "bce two outputs":
                network = network.Replace($"Loss.{loss}", "Loss.BinaryCrossEntropy");
                attributes[0] = network;
                layerTexts[^1] = "[Dense(2)]";
                break;
            case "softmax into bce":
                network = network.Replace($"Loss.{loss}", "Loss.MultiLabelBinaryCrossEntropy");
                attributes[0] = network;
                layerTexts[^1] = "[Dense(3, Activation.Softmax)]";
                break;
        }

        if (flaw == "no input") { }
        else if (flaw == "layer before input" && layerTexts.Count > 0) { layerTexts.Insert(1, input); }
        else layerTexts.Insert(0, input);

        // Attributes on one line or several, as users write them.
        attributes.AddRange(layerTexts);
        string attributeBlock = Chance(0.3) ? string.Join(" ", attributes) : string.Join("\n", attributes);

        string name = flaw switch
        {
            "reserved class name" => Pick(new[] { "Predict", "Parameters", "InputSize", "Fit" }),
            "generic" => className.TrimStart('@') + "G",
            _ => className,
        };
        string header = flaw switch
        {
            "not partial" => $"public class {name}",
            "static" => $"public static partial class {name}",
            "record" => $"public partial record class {name}",
            "generic" => $"public partial class {name}<T>",
            "primary ctor" => $"public partial class {name}(int tag)",
            "base without default ctor" => $"public partial class {name} : NeedsArgument",
            _ => $"public partial class {name}",
        };
        string body = flaw switch
        {
            "member Predict" => "{\n    /// <summary>Mine.</summary>\n    public int Predict(string s) => s.Length;\n}",
            "field _parameters" => "{\n    private readonly int _parameters = 1;\n    /// <summary>Mine.</summary>\n    public int Count => _parameters;\n}",
            "own parameterless ctor" => $"{{\n    /// <summary>Mine.</summary>\n    public {name}() {{ }}\n}}",
            "unchained ctor" => $"{{\n    /// <summary>Mine.</summary>\n    public {name}(string tag) {{ Tag = tag; }}\n    /// <summary>Mine.</summary>\n    public string Tag {{ get; }}\n}}",
            "primary ctor" => "{\n    /// <summary>Mine.</summary>\n    public int Tag => tag;\n}",
            _ => Chance(0.3) ? $"{{\n    /// <summary>Chained, allowed.</summary>\n    public {name}(string tag) : this(tag.Length) {{ }}\n}}" : ";",
        };

        var sb = new StringBuilder();
        sb.Append("#pragma warning disable CS8981, CS1591\nusing Compiled;\n\n");
        if (ns.Length > 0) sb.Append($"namespace {ns}\n{{\n");
        sb.Append("/// <summary>Sizes.</summary>\npublic static class Sizes { /// <summary>Not const.</summary>\n public static int Features = 3; }\n");
        sb.Append("/// <summary>A base.</summary>\npublic class NeedsArgument { /// <summary>Ctor.</summary>\n public NeedsArgument(int x) { X = x; } /// <summary>X.</summary>\n public int X { get; } }\n");
        string declaration;
        string? second = null;
        if (flaw == "nested")
            declaration = $"/// <summary>Outer.</summary>\npublic partial class Outer{index}\n{{\n/// <summary>Fuzzed.</summary>\n{attributeBlock}\n{header}{body}\n}}\n";
        else if (flaw == "split partial" && layerTexts.Count > 1)
        {
            // The last layer moves to a second partial declaration in another file.
            string moved = attributes[^1];
            declaration = $"/// <summary>Fuzzed.</summary>\n{string.Join("\n", attributes.Take(attributes.Count - 1))}\n{header}{body}\n";
            second = $"#pragma warning disable CS8981, CS1591\nusing Compiled;\n{(ns.Length > 0 ? $"namespace {ns};\n" : "")}{moved}\npublic partial class {name};\n";
        }
        else
            declaration = $"/// <summary>Fuzzed.</summary>\n{attributeBlock}\n{header}{body}\n";
        sb.Append(declaration);
        if (ns.Length > 0) sb.Append("}\n");

        // A clean split across files (attributes on one part, members on the other) is valid.
        if (flaw == "none" && Chance(0.2))
            second = $"#pragma warning disable CS8981, CS1591\n{(ns.Length > 0 ? $"namespace {ns};\n" : "")}public partial class {name}\n{{\n    /// <summary>Mine.</summary>\n    public string Describe() => \"a network\";\n}}\n";

        bool valid = flaw == "none" || (flaw == "split partial" && layerTexts.Count <= 1) || (flaw == "layer before input" && layerTexts.Count == 0);
        var sources = second is null ? new[] { sb.ToString() } : new[] { sb.ToString(), second };
        return new Declaration(sources, name, valid, flaw);
    }

    private sealed record Layer(string Text, int Units);

    /// <summary>1–4 layers that fit <paramref name="loss"/>; the last one sets the output size.</summary>
    private List<Layer> ValidLayers(string loss)
    {
        var layers = new List<Layer>();
        int hidden = _random.Next(0, 4);
        for (int i = 0; i < hidden; i++)
        {
            int kind = _random.Next(3);
            string act = Pick(Activations);
            string alpha = act is "LeakyReLU" or "ELU" && Chance(0.5) ? $", Alpha = {F(Math.Round(_random.NextDouble() * 0.9 + 0.05, 3))}" : "";
            string nameArg = Chance(0.2) ? $", Name = \"layer_{i}x\"" : "";
            layers.Add(kind switch
            {
                0 => new Layer($"[Dense({_random.Next(1, 40)}, Activation.{act}{alpha}{nameArg})]", 0),
                1 => new Layer($"[Activation(Activation.{act}{alpha}{nameArg})]", 0),
                _ => new Layer($"[Dropout({F(Math.Round(_random.NextDouble() * 0.9, 2))}{nameArg})]", 0),
            });
        }
        string last = loss switch
        {
            "SoftmaxCrossEntropy" => $"[Dense({_random.Next(2, 12)}{(Chance(0.3) ? ", Activation.Softmax" : "")})]",
            "BinaryCrossEntropy" => $"[Dense(1{(Chance(0.3) ? ", Activation.Sigmoid" : "")})]",
            "MultiLabelBinaryCrossEntropy" => $"[Dense({_random.Next(1, 6)}{(Chance(0.3) ? ", Activation.Sigmoid" : "")})]",
            _ => $"[Dense({_random.Next(1, 6)}, Activation.{Pick(new[] { "Identity", "Tanh", "Sigmoid", "Softplus" })})]",
        };
        layers.Add(new Layer(last, 0));
        return layers;
    }
}
