using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Compiled.Generator;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// The generator runs on every keystroke in an IDE: an edit that does not change a network must not
/// re-run the emitter. These tests run the driver, edit the compilation, run it again and read the
/// reason recorded for each output of the tracked steps (<see cref="TrackingNames"/>).
/// </summary>
public class IncrementalityTests
{
    private const string Network = NetworkSources.FashionMlp;

    /// <summary>Runs the network alone, then runs the same driver over the compilation <paramref name="edit"/> returns.</summary>
    private static (GeneratorRun First, GeneratorRun Second) RunTwice(Func<CSharpCompilation, CSharpCompilation> edit)
    {
        var compilation = GeneratorHarness.CreateCompilation(Network);
        var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        var second = GeneratorHarness.Run(first.Driver, edit(compilation));
        return (first, second);
    }

    private static CSharpCompilation ReplaceNetworkSource(CSharpCompilation compilation, string newText)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == GeneratorHarness.SourcePath(0));
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(newText)));
    }

    /// <summary>The reasons of every output of the step named <paramref name="stepName"/> in the run.</summary>
    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRun run, string stepName)
    {
        Assert.True(run.Result.TrackedSteps.TryGetValue(stepName, out var steps), $"No step named {stepName} was tracked.");
        var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static void AssertNotRerun(GeneratorRun run, string stepName)
    {
        var reasons = Reasons(run, stepName);
        Assert.True(reasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
            $"Step {stepName} produced new output: {string.Join(", ", reasons)}");
    }

    [Fact]
    public void UnrelatedNewFile_DoesNotRerunSpecOrEmit()
    {
        var (first, second) = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other;\n\n/// <summary>Unrelated.</summary>\npublic class Unrelated { }\n",
            GeneratorHarness.ParseOptions, path: "Unrelated.cs")));

        AssertNotRerun(second, TrackingNames.Spec);
        AssertNotRerun(second, TrackingNames.Emit);
        Assert.Equal(first.SingleSource, second.SingleSource);
    }

    [Fact]
    public void CommentInAnotherFile_DoesNotRerunSpecOrEmit()
    {
        // Two files: the network, and another one that gets edited (a comment added).
        var compilation = GeneratorHarness.CreateCompilation(Network, "namespace Other;\n\n/// <summary>Other.</summary>\npublic class Other { }\n");
        var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        var other = compilation.SyntaxTrees.Single(t => t.FilePath == GeneratorHarness.SourcePath(1));
        var edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(SourceText.From("// a comment\n" + other.GetText())));
        var second = GeneratorHarness.Run(first.Driver, edited);

        AssertNotRerun(second, TrackingNames.Spec);
        AssertNotRerun(second, TrackingNames.Emit);
        Assert.Equal(first.SingleSource, second.SingleSource);
    }

    [Fact]
    public void MovingTheNetwork_DoesNotRerunEmit()
    {
        // Blank lines above the class move every location: the parse step runs again, but the spec
        // carries no location, so it compares equal and the emitter is skipped.
        var (first, second) = RunTwice(c => ReplaceNetworkSource(c, "\n\n\n" + Network));

        AssertNotRerun(second, TrackingNames.Spec);
        AssertNotRerun(second, TrackingNames.Emit);
        Assert.Equal(first.SingleSource, second.SingleSource);
    }

    [Fact]
    public void ChangingALayer_RerunsEmit()
    {
        var (first, second) = RunTwice(c => ReplaceNetworkSource(c, Network.Replace("[Dense(256, Activation.ReLU)]", "[Dense(128, Activation.ReLU)]")));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Emit));
        Assert.Contains("public const int Dense1Units = 128;", second.SingleSource, StringComparison.Ordinal);
        Assert.NotEqual(first.SingleSource, second.SingleSource);
    }

    [Fact]
    public void MovingABrokenNetwork_ReReportsItsDiagnosticAtTheNewPlace()
    {
        // The other side of the split: diagnostics hold locations, so they must follow the code.
        string broken = Network.Replace("[Dropout(0.2)]", "[Dropout(1.2)]");
        var compilation = GeneratorHarness.CreateCompilation(broken);
        var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
        var second = GeneratorHarness.Run(first.Driver, ReplaceNetworkSource(compilation, "\n\n" + broken));

        int firstLine = Assert.Single(first.GeneratorDiagnostics).Location.GetLineSpan().StartLinePosition.Line;
        int secondLine = Assert.Single(second.GeneratorDiagnostics).Location.GetLineSpan().StartLinePosition.Line;
        Assert.Equal(firstLine + 2, secondLine);
        Assert.StartsWith("Dropout(1.2)", second.TextAt(second.GeneratorDiagnostics[0].Location), StringComparison.Ordinal);
    }

    [Fact]
    public void SameSourceParsedTwice_GivesEqualSpecs()
    {
        // Two unrelated compilations (separate parses, separate symbols): the cache compares specs by
        // value, so equal declarations must give equal specs with equal hash codes.
        var a = SpecOf(GeneratorHarness.Run(NetworkSources.Regression));
        var b = SpecOf(GeneratorHarness.Run(NetworkSources.Regression));

        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());

        var other = SpecOf(GeneratorHarness.Run(NetworkSources.Regression.Replace("Dense(32)", "Dense(31)")));
        Assert.NotEqual(a, other);
    }

    private static NetworkSpec SpecOf(GeneratorRun run)
    {
        var output = Assert.Single(run.Result.TrackedSteps[TrackingNames.Spec].SelectMany(s => s.Outputs));
        return Assert.IsType<NetworkSpec>(output.Value);
    }

    /// <summary>
    /// Roslyn types that must never be reachable from what the pipeline caches: holding one keeps a
    /// whole compilation alive between runs and, compared by reference, defeats the cache.
    /// </summary>
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTree), typeof(SyntaxReference),
        typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(AttributeData), typeof(TypedConstant),
        typeof(IOperation),
    };

    /// <summary>Value types from Roslyn that are plain data (numbers), allowed in the model: LocationInfo holds them.</summary>
    private static readonly Type[] AllowedRoslynValues = { typeof(TextSpan), typeof(LinePositionSpan), typeof(LinePosition) };

    [Theory]
    [InlineData(typeof(NetworkSpec))]
    [InlineData(typeof(ParseResult))]
    public void Model_HoldsNoRoslynObjects(Type root)
    {
        // Walk the declared types of every instance field (backing fields of record properties
        // included), through arrays and generic arguments. A leaf must be a primitive, a string, an
        // enum or an allowed plain Roslyn value; anything else is either walked (the generator's own
        // model types) or reported. Fields of type object or an interface are reported too: they
        // could hold anything.
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        Walk(root, root.Name, seen, problems);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains(typeof(LayerSpec), seen); // the walk did reach the layers
        if (root == typeof(ParseResult)) Assert.Contains(typeof(LocationInfo), seen);
    }

    private static void Walk(Type type, string path, HashSet<Type> seen, List<string> problems)
    {
        if (type.IsArray)
        {
            Walk(type.GetElementType()!, path + "[]", seen, problems);
            return;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Walk(underlying, path, seen, problems);
            return;
        }
        if (Forbidden.Any(f => f.IsAssignableFrom(type)))
        {
            problems.Add($"{path}: {type.FullName} is a Roslyn object");
            return;
        }
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || AllowedRoslynValues.Contains(type))
            return;
        if (type == typeof(object) || type.IsInterface || type.IsGenericParameter)
        {
            problems.Add($"{path}: {type} could hold anything");
            return;
        }
        if (type.Assembly != typeof(NetworkSpec).Assembly || type.Namespace != typeof(NetworkSpec).Namespace)
        {
            problems.Add($"{path}: {type.FullName} is not a model type");
            return;
        }
        if (!seen.Add(type)) return;
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.FieldType, $"{path}.{field.Name}", seen, problems);
    }
}
