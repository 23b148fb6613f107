using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Compiled.OnnxImport;
using Compiled.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Tests.Interop;

/// <summary>
/// What the ONNX import tests share: compiling the declarations the importer writes with the generator, as a
/// user's build would, and loading the result so that the imported networks can run.
/// </summary>
internal static class OnnxImportFiles
{
    /// <summary>
    /// Runs the generator over <paramref name="sources"/> (one file each) and compiles them with the generated code
    /// into one assembly, loaded into the test process; fails with every diagnostic when anything is wrong.
    /// </summary>
    public static Assembly Compile(IReadOnlyList<string> sources)
    {
        var run = GeneratorHarness.Run(sources.ToArray());
        if (run.GeneratorDiagnostics.Length > 0 || run.Result.Exception is not null)
            throw new InvalidOperationException("The generator rejected an imported declaration:\n" + run.Describe());
        var problems = run.CompilationProblems;
        if (problems.Count > 0)
            throw new InvalidOperationException("An imported declaration does not compile cleanly:\n" + string.Join("\n", problems));
        var compilation = run.Output.WithOptions(((CSharpCompilationOptions)run.Output.Options)
            .WithAllowUnsafe(true).WithOptimizationLevel(OptimizationLevel.Release));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray()); // its own load context; Compiled.Runtime resolves to the one loaded here
    }

    /// <summary>A new instance of the generated network <paramref name="typeName"/> in <paramref name="assembly"/>.</summary>
    public static INetwork Create(Assembly assembly, string typeName) =>
        (INetwork)Activator.CreateInstance(assembly.GetType(typeName, throwOnError: true)!)!;

    /// <summary>The attribute lines of a declaration the importer wrote, without their comments and padding.</summary>
    public static string[] AttributeLines(string declaration) =>
        declaration.Split('\n')
            .Where(l => l.StartsWith('['))
            .Select(l => l.Contains("//", StringComparison.Ordinal) ? l[..l.IndexOf("//", StringComparison.Ordinal)] : l)
            .Select(l => l.TrimEnd())
            .ToArray();

    /// <summary>Imports ONNX bytes (as the tool does with a file).</summary>
    public static ImportedNetwork Import(byte[] model) => OnnxImporter.Import(OnnxModel.Parse(model));

    /// <summary>The largest |a − b| / max(1, |b|) over every output of <paramref name="a"/> and <paramref name="b"/> on the same inputs.</summary>
    public static double Compare(INetwork a, INetwork b, float[] inputs)
    {
        var (x, y) = Predictions(a, b, inputs);
        return OnnxFiles.MaxDifference(x, y);
    }

    /// <summary>Whether Predict of the two networks gives the same bits on <paramref name="inputs"/>.</summary>
    public static bool SameBits(INetwork a, INetwork b, float[] inputs)
    {
        var (x, y) = Predictions(a, b, inputs);
        return x.Select(BitConverter.SingleToInt32Bits).SequenceEqual(y.Select(BitConverter.SingleToInt32Bits));
    }

    private static (float[] A, float[] B) Predictions(INetwork a, INetwork b, float[] inputs)
    {
        int count = inputs.Length / a.InputSize;
        var x = new float[count * a.OutputSize];
        var y = new float[count * b.OutputSize];
        a.Predict(inputs, x);
        b.Predict(inputs, y);
        return (x, y);
    }
}
