using System;
using System.IO;
using System.Text;

namespace Compiled.OnnxImport;

/// <summary>
/// compiled-onnx-import model.onnx --class Name [--namespace Ns] [--out Dir] [--loss Loss]: writes Dir/Name.cs (the
/// declaration) and Dir/Name.safetensors (the weights). Exit codes: 0 written, 1 the model cannot be imported (the
/// message names the node), 2 a usage error.
/// </summary>
public static class Program
{
    public const string Usage =
        "usage: compiled-onnx-import model.onnx --class Name [--namespace Ns] [--out Dir] [--loss Loss]\n" +
        "  Writes Dir/Name.cs (a Compiled network declaration) and Dir/Name.safetensors (its weights).\n" +
        "  --loss: MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy or MultiLabelBinaryCrossEntropy\n" +
        "          (default: SoftmaxCrossEntropy when the model ends in a softmax, else MeanSquaredError).";

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>The command, with its output and errors written to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? model = null, className = null, ns = "", directory = ".", loss = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                output.WriteLine(Usage);
                return 0;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length) return Fail(error, $"{arg} needs a value.");
                string value = args[++i];
                switch (arg)
                {
                    case "--class": className = value; break;
                    case "--namespace": ns = value; break;
                    case "--out": directory = value; break;
                    case "--loss": loss = value; break;
                    default: return Fail(error, $"unknown option {arg}.");
                }
            }
            else if (model is null) model = arg;
            else return Fail(error, $"a second model '{arg}'.");
        }
        if (model is null || className is null) return Fail(error, "give the model and --class.");

        ImportedNetwork network;
        try
        {
            network = OnnxImporter.Import(OnnxModel.Load(model));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"compiled-onnx-import: {model}: {e.Message}");
            error.WriteLine("Nothing was written.");
            return 1;
        }

        string source, weights = className + ".safetensors";
        try
        {
            source = network.Declaration(className, ns, loss ?? network.DefaultLoss, Path.GetFileName(model), weights);
        }
        catch (ArgumentException e)
        {
            return Fail(error, e.Message);
        }
        try
        {
            Directory.CreateDirectory(directory);
            string cs = Path.Combine(directory, className + ".cs"), weightPath = Path.Combine(directory, weights);
            network.SaveWeights(weightPath); // atomic, as the declaration below
            string temporary = cs + ".tmp";
            File.WriteAllText(temporary, source, new UTF8Encoding(false));
            File.Move(temporary, cs, overwrite: true);
            output.WriteLine($"Wrote {cs} ({network.Layers.Count} layers) and {weightPath} ({network.Parameters.Length} parameters, {network.State.Length} statistics).");
            output.WriteLine($"Add {className}.cs to a project that references Compiled, then load the weights:");
            output.WriteLine($"    var net = new {(ns.Length > 0 ? ns + "." : "")}{className}();");
            output.WriteLine($"    Safetensors.Load(\"{weights}\", net);   // checks every name and shape");
            output.WriteLine($"    net.Predict(inputs, outputs);             // inputs [{string.Join(", ", network.InputShape)}] per sample, outputs [{string.Join(", ", network.OutputShape)}]");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"compiled-onnx-import: {e.Message}");
            return 1;
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"compiled-onnx-import: {message}");
        error.WriteLine(Usage);
        return 2;
    }
}
