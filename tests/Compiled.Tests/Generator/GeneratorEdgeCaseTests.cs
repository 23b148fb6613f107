using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Legal C# off the beaten path. Each case states what the generator must do with it, as
/// docs/diagnostics.md specifies: generate code that compiles cleanly, or report one named CMP error
/// at the place to fix and generate nothing. It must never throw (CS8785: the network silently loses
/// its code) or emit code that does not compile (errors inside a file the user did not write).
/// </summary>
public class GeneratorEdgeCaseTests
{
    private static string InNamespace(string declaration) => "using Compiled;\n\nnamespace Edge;\n\n/// <summary>A test network.</summary>\n" + declaration + "\n";

    /// <summary>A valid declaration: no diagnostic, one file, and code that compiles without a warning.</summary>
    private static void AssertGeneratesCleanCode(GeneratorRun run)
    {
        Assert.True(run.Result.Exception is null, run.Describe());
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        Assert.Single(run.Sources);
        GeneratorSnapshotTests.AssertCompilesCleanly(run);
    }

    /// <summary>A flawed declaration: exactly the CMP error <paramref name="id"/>, at text starting with <paramref name="at"/>, and no code.</summary>
    private static void AssertReported(GeneratorRun run, string id, string at)
    {
        Assert.True(run.Result.Exception is null, run.Describe());
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.StartsWith(at, run.TextAt(diagnostic.Location), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    /// <summary>
    /// Layer names that are distinct, and distinct once PascalCased (so CMP013 accepts them), but
    /// whose generated identifiers still collide: local variables are named from the lower-cased
    /// member prefix ("FC" and "Fc" both give fcY, fcEpilogue), and a gradient span is "d" + the
    /// prefix ("dFc" gives the span dFcOutput, "fc" the gradient dFcOutput).
    /// </summary>
    [Theory]
    [InlineData("FC", "Fc")]
    [InlineData("Ab", "aB")]
    [InlineData("dFc", "fc")]
    [InlineData("d_dense", "dense")]
    public void LayerNamesWhoseIdentifiersCouldCollide_Compile(string first, string second)
    {
        var run = GeneratorHarness.Run(InNamespace($$"""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(8, Name = "{{first}}")]
            [Dense(1, Name = "{{second}}")]
            public partial class Names;
            """));

        // Distinct once PascalCased, so CMP013 accepts them; the generated locals and gradient spans
        // must then be distinct too.
        AssertGeneratesCleanCode(run);
    }

    /// <summary>
    /// Keywords are legal names when escaped with @. The namespace's display string keeps the @, which
    /// is not allowed in a hint name; the class name must be written back escaped.
    /// </summary>
    [Theory]
    [InlineData("namespace @event.@class;", "Net")]
    [InlineData("namespace Edge;", "@class")]
    public void KeywordNames_AreEscaped(string namespaceLine, string className)
    {
        var run = GeneratorHarness.Run($$"""
            using Compiled;

            {{namespaceLine}}

            /// <summary>A test network.</summary>
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class {{className}};
            """);

        AssertGeneratesCleanCode(run);
    }

    /// <summary>The generated members are instance members and the class implements INetwork: a static class cannot have them.</summary>
    [Fact]
    public void StaticClass_IsReported()
    {
        var run = GeneratorHarness.Run(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public static partial class StaticNet;
            """));

        AssertReported(run, "CMP017", "StaticNet");
    }

    /// <summary>Weights of a 50,000 × 50,000 layer do not fit an int (nor a .NET array): the count must not silently wrap around.</summary>
    [Theory]
    [InlineData(50_000, 50_000)]   // 2.5e9 weights: int overflow to a negative count
    [InlineData(65_536, 65_536)]   // 2^32 weights: wraps to exactly 0, so the code would compile with a wrong size
    public void ParameterCountBeyondInt_IsReported(int inputs, int units)
    {
        var run = GeneratorHarness.Run(InNamespace($"""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input({inputs})]
            [Dense({units})]
            public partial class Huge;
            """));

        AssertReported(run, "CMP015", $"Dense({units})");
    }

    /// <summary>A record class is a class ([Network] is allowed on it): it must get its code or an error, not silence.</summary>
    [Fact]
    public void RecordClass_IsReported()
    {
        var run = GeneratorHarness.Run(InNamespace("""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial record class RecordNet;
            """));

        AssertReported(run, "CMP017", "RecordNet");
    }

    /// <summary>A class named like a generated member (CS0542: a member cannot have its class's name).</summary>
    [Theory]
    [InlineData("Predict")]
    [InlineData("Evaluate")]
    [InlineData("Fit")]
    public void ClassNamedLikeAGeneratedMember_IsReported(string className)
    {
        var run = GeneratorHarness.Run(InNamespace($"""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(4)]
            [Dense(1)]
            public partial class {className};
            """));

        AssertReported(run, "CMP016", className);
    }

    /// <summary>
    /// 2^24 units pass CMP015 (2^25 floats of activations per sample) but 2 × 64 × 2^24, the inference
    /// scratch's size as a constant expression, overflows an int (CS0220): the chunk must shrink instead.
    /// </summary>
    [Theory]
    [InlineData(16_777_216)]
    [InlineData(100_000)]
    [InlineData(200_000_000)]
    public void VeryWideLayer_CompilesWithoutConstantOverflow(int units)
    {
        var run = GeneratorHarness.Run(InNamespace($"""
            [Network(Loss = Loss.MeanSquaredError)]
            [Input(1)]
            [Dense({units})]
            public partial class Wide;
            """));

        AssertGeneratesCleanCode(run);
    }

    /// <summary>
    /// CMP016/CMP018 rely on the generator's list of the members it adds: parse what it generates for a
    /// network with every layer kind and buffer and check the list names every member, so that a new
    /// generated member cannot clash with a user's silently.
    /// </summary>
    [Fact]
    public void EveryGeneratedMember_IsInTheReservedLists()
    {
        var run = GeneratorHarness.Run(InNamespace("""
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(4)]
            [Dense(8, Activation.Swish, Name = "wide")] [Dropout(0.5)] [Activation(Activation.Tanh)] [Dense(3, Activation.Softmax)]
            public partial class Everything;
            """));
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(run.SingleSource);
        var type = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>().Single();
        var names = new System.Collections.Generic.HashSet<string>();
        foreach (var member in type.Members)
        {
            switch (member)
            {
                case Microsoft.CodeAnalysis.CSharp.Syntax.FieldDeclarationSyntax f: foreach (var v in f.Declaration.Variables) names.Add(v.Identifier.ValueText); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p: names.Add(p.Identifier.ValueText); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m: names.Add(m.Identifier.ValueText); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax t: names.Add(t.Identifier.ValueText); break;
            }
        }
        var layerPrefixes = new[] { "Wide", "Dropout1", "Activation1", "Dense2" };
        var reserved = Compiled.Generator.Emit.NetworkEmitter.ReservedMemberNames;
        var unlisted = names.Where(n => !reserved.Contains(n)
            && !layerPrefixes.Any(p => Compiled.Generator.Emit.NetworkEmitter.LayerMemberSuffixes.Any(s => n == p + s))).ToList();
        Assert.True(unlisted.Count == 0, "Generated but not reserved: " + string.Join(", ", unlisted));
        Assert.True(names.Count > 40, $"only {names.Count} members parsed");
    }
}
