using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Hundreds of declarations from a seeded random program (<see cref="RandomDeclarations"/>) through the
/// generator: it never throws; every flawed declaration gets a CMP error located in the class's own
/// declaration (an attribute, the name, a member, the base list) and no code; every valid one gets
/// code that compiles without errors or warnings. Set COMPILED_FUZZ_ITER for a longer run.
/// </summary>
public class GeneratorRobustnessTests
{
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("COMPILED_FUZZ_ITER"), out int n) && n > 0 ? Math.Max(n, 320) : 320;

    public static TheoryData<int> Seeds => new() { 1, 2 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomDeclarations_AreGeneratedOrReported(int seed)
    {
        var random = new RandomDeclarations(seed);
        var failures = new List<string>();
        int valid = 0, invalid = 0;
        for (int i = 0; i < Iterations / 2; i++)
        {
            var declaration = random.Next(i);
            string? problem = Check(declaration);
            if (problem is not null) failures.Add($"#{i} ({declaration.Flaw}): {problem}\n{string.Join("\n--- next file ---\n", declaration.Sources)}");
            if (declaration.Valid) valid++; else invalid++;
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {valid + invalid} failed:\n\n" + string.Join("\n\n", failures.Take(5)));
        // The mix is what makes the test worth running: both kinds, many of each.
        Assert.InRange(valid, Iterations / 8, Iterations / 2);
        Assert.InRange(invalid, Iterations / 8, Iterations / 2);
    }

    /// <summary>Null when the generator did what the declaration calls for, else what went wrong.</summary>
    private static string? Check(RandomDeclarations.Declaration declaration)
    {
        var run = GeneratorHarness.Run(declaration.Sources);
        if (run.Result.Exception is not null) return "generator threw: " + run.Result.Exception;
        var foreign = run.GeneratorDiagnostics.Where(d => !d.Id.StartsWith("CMP", StringComparison.Ordinal)).ToList();
        if (foreign.Count > 0) return "non-CMP generator diagnostics: " + string.Join("; ", foreign);

        if (declaration.Valid)
        {
            if (!run.GeneratorDiagnostics.IsEmpty) return "valid declaration reported: " + run.Describe();
            if (run.Sources.Count != 1) return $"{run.Sources.Count} files generated for one network";
            var problems = run.CompilationProblems;
            return problems.Count == 0 ? null : "generated code does not compile cleanly: " + string.Join("; ", problems.Take(5));
        }

        if (run.GeneratorDiagnostics.IsEmpty) return "flawed declaration not reported";
        if (run.Sources.Count != 0) return "code generated for a flawed declaration";
        foreach (var diagnostic in run.GeneratorDiagnostics)
        {
            if (diagnostic.Severity != DiagnosticSeverity.Error) return diagnostic.Id + " is not an error";
            if (!InsideTheClass(run, diagnostic.Location, declaration.ClassName.TrimStart('@')))
                return $"{diagnostic.Id} is not located in the class's declaration: {diagnostic}";
        }
        return null;
    }

    /// <summary>True when <paramref name="location"/> falls in a declaration (attributes included) of the class named <paramref name="className"/>.</summary>
    private static bool InsideTheClass(GeneratorRun run, Location location, string className)
    {
        if (location == Location.None) return false;
        var span = location.GetLineSpan();
        var tree = run.Input.SyntaxTrees.FirstOrDefault(t => t.FilePath == span.Path);
        if (tree is null || location.SourceSpan.Length == 0) return false;
        return tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .Any(t => t.Identifier.ValueText == className && t.FullSpan.Contains(location.SourceSpan));
    }
}
