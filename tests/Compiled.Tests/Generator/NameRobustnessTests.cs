using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Names the generator does not own must not change what the generated code means: user types in the
/// network's namespace named like the runtime's or the BCL's types, a network class with one of those
/// names, and networks whose full names differ only in case (one file name on a case-insensitive disk).
/// </summary>
public class NameRobustnessTests
{
    /// <summary>Every type name the generated code refers to, plus the contextual keywords it could use.</summary>
    public static readonly string[] ShadowingNames =
    {
        "Dataset", "Optimizer", "Trainer", "Rng", "Stream", "Math", "Unsafe", "Vector256", "Vector128", "Vector512", "Span", "ReadOnlySpan",
        "Array", "MemoryMarshal", "ArgumentException", "ArgumentNullException", "ThreadStatic", "ThreadStaticAttribute", "INetwork",
        "Sgemm", "LayerKernels", "LossKernels", "MetricKernels", "ActivationMath", "IGemmEpilogue", "FitHistory", "FitOptions",
        "EvaluationResult", "WeightFile", "Compiled", "System", "Kernels", "MemoryExtensions", "var", "nuint", "nint", "dynamic",
        "Single", "Int32", "String", "Exception", "InvalidDataException", "TrainingDivergedException", "Runtime", "IO",
    };

    /// <summary>One network touching every emitted code path: each activation fused and standalone, dropout, softmax into its loss.</summary>
    private const string EveryPathNetwork = """
        /// <summary>A test network.</summary>
        [Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 5)]
        [Input(9)]
        [Dense(17, Activation.Swish)] [Dense(9, Activation.LeakyReLU, Alpha = 0.2)] [Dense(9, Activation.ELU)]
        [Activation(Activation.Tanh)] [Activation(Activation.Softplus)] [Dropout(0.25)] [Activation(Activation.Sigmoid)]
        [Dense(8, Activation.ReLU)] [Dense(3, Activation.Softmax)]
        public partial class {0};
        """;

    private static string Shadows(params string[] except) =>
        string.Join("\n", ShadowingNames.Except(except).Select(n => $"/// <summary>A user type.</summary>\npublic class {n} {{ }}"));

    [Fact]
    public void UserTypesNamedLikeRuntimeTypes_DoNotBreakTheGeneratedCode()
    {
        // The user's types sit in the network's namespace, where they win over any using directive.
        var run = GeneratorHarness.Run(
            "#pragma warning disable CS8981 // lower-case type names are the point here\nusing Compiled;\n\nnamespace Shadow;\n\n"
            + Shadows() + "\n" + EveryPathNetwork.Replace("{0}", "Net"));

        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.Empty(run.GeneratorDiagnostics);
        AssertGeneratedCodeClean(run);
    }

    [Fact]
    public void UserTypesNamedLikeRuntimeTypes_InTheGlobalNamespace_DoNotBreakTheGeneratedCode()
    {
        // A global class named Compiled or System would hide those namespaces from the user's own code too.
        var run = GeneratorHarness.Run(
            "#pragma warning disable CS8981\nusing Compiled;\n\n" + Shadows("Compiled", "System") + "\n" + EveryPathNetwork.Replace("{0}", "Net"));

        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.Empty(run.GeneratorDiagnostics);
        AssertGeneratedCodeClean(run);
    }

    public static TheoryData<string> ClassNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in ShadowingNames) data.Add(name);
        return data;
    }

    /// <summary>Inside the class, its own name wins over every other type of that name.</summary>
    [Theory]
    [MemberData(nameof(ClassNames))]
    public void NetworkClassNamedLikeARuntimeType_Compiles(string className)
    {
        string name = className == "dynamic" ? "@dynamic" : className;
        var run = GeneratorHarness.Run("#pragma warning disable CS8981\nusing Compiled;\n\nnamespace Named;\n\n" + EveryPathNetwork.Replace("{0}", name));

        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.Empty(run.GeneratorDiagnostics);
        AssertGeneratedCodeClean(run);
    }

    [Theory]
    [InlineData("namespace A;", "Net", "namespace A;", "NET")]
    [InlineData("namespace A.b;", "Net", "namespace A.B;", "Net")]
    [InlineData("namespace N;", "net", "namespace N;", "Net")]
    public void NetworksWhoseNamesDifferOnlyInCase_BothGetTheirCode(string ns1, string class1, string ns2, string class2)
    {
        string Declaration(string ns, string cls) =>
            $"#pragma warning disable CS8981\nusing Compiled;\n\n{ns}\n\n/// <summary>A test network.</summary>\n[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\npublic partial class {cls};\n";
        var run = GeneratorHarness.Run(Declaration(ns1, class1), Declaration(ns2, class2));

        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.Equal(2, run.Sources.Count);
        Assert.Equal(2, run.Sources.Select(s => s.HintName.ToUpperInvariant()).Distinct().Count());
        AssertGeneratedCodeClean(run);
        // Both classes got their members: each answers InputSize from its generated half.
        foreach (string cls in new[] { class1, class2 })
            Assert.Contains(run.Sources, s => s.Text.Contains($"partial class {cls} :", StringComparison.Ordinal));
    }

    [Fact]
    public void HintNames_AreStableAndDistinctIgnoringCase()
    {
        var names = System.Collections.Immutable.ImmutableArray.Create("A.Net", "A.NET", "A.net", "B.Other");
        Assert.Equal("A.NET.Network.g.cs", Compiled.Generator.NetworkGenerator.HintName("A.NET", names));
        Assert.Equal("A.Net_2.Network.g.cs", Compiled.Generator.NetworkGenerator.HintName("A.Net", names));
        Assert.Equal("A.net_3.Network.g.cs", Compiled.Generator.NetworkGenerator.HintName("A.net", names));
        Assert.Equal("B.Other.Network.g.cs", Compiled.Generator.NetworkGenerator.HintName("B.Other", names));
    }

    /// <summary>No error or warning located in a generated file (the user's own sources may warn: CS8981 for a class named var).</summary>
    private static void AssertGeneratedCodeClean(GeneratorRun run)
    {
        var generated = run.Output.SyntaxTrees.Skip(run.Input.SyntaxTrees.Count()).ToHashSet();
        var problems = run.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && (d.Location.SourceTree is null || generated.Contains(d.Location.SourceTree) || d.Severity == DiagnosticSeverity.Error))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(10)));
        Assert.NotEmpty(run.Sources);
    }
}
