using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Compiled.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Tests.Generator;

/// <summary>
/// Runs <see cref="NetworkGenerator"/> in-process over C# source text, the way the compiler does in a
/// user's build, and hands back what came out: the generated files, the generator's diagnostics and
/// the diagnostics of the compilation that includes the generated code.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>
    /// C# as the compiler sees it in a user's project: the newest language version the Roslyn package
    /// knows, and documentation comments parsed and checked (so a broken cref in the generated XML
    /// docs is a warning, as it is for a user who builds with GenerateDocumentationFile).
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest).WithDocumentationMode(DocumentationMode.Diagnose);

    /// <summary>A library with nullable annotations on and every warning wave enabled (the strictest settings a user may have).</summary>
    public static readonly CSharpCompilationOptions CompilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999, deterministic: true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    /// <summary>The framework (from the test host's trusted platform assemblies) plus Compiled.dll and Compiled.Runtime.dll.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The trusted platform assemblies list everything the test host loads: the shared framework,
        // but also xunit, Roslyn and this test assembly. Only the framework belongs in a user's
        // compilation (this assembly, for one, holds generated networks of its own), so keep the
        // entries from the directory System.Private.CoreLib came from.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .ToList();
        paths.Add(typeof(global::Compiled.NetworkAttribute).Assembly.Location);
        paths.Add(typeof(global::Compiled.INetwork).Assembly.Location);
        return paths
            .Distinct(StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>
    /// Parses <paramref name="sources"/> into a compilation, one syntax tree per source, with the
    /// file paths "Source0.cs", "Source1.cs", … (diagnostic locations name these paths).
    /// </summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "TestNetworks",
            sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: SourcePath(i))),
            References,
            CompilationOptions);

    public static string SourcePath(int index) => $"Source{index}.cs";

    /// <summary>A driver that records every step of the pipeline, for the incrementality tests.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generates for <paramref name="sources"/> with a fresh driver.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateDriver(), CreateCompilation(sources));

    /// <summary>
    /// Runs <paramref name="driver"/> over <paramref name="compilation"/>. The returned run keeps the
    /// advanced driver, so that a test can run it again over an edited compilation.
    /// </summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver, compilation, output, generatorDiagnostics);
    }
}

/// <summary>One generator run: its inputs, what it produced, and the driver to run again.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(GeneratorDriver driver, Compilation input, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Driver = driver;
        Input = input;
        Output = output;
        GeneratorDiagnostics = generatorDiagnostics;
        Result = driver.GetRunResult().Results.Single();
    }

    public GeneratorDriver Driver { get; }

    /// <summary>The compilation the generator saw.</summary>
    public Compilation Input { get; }

    /// <summary>The input plus the generated files.</summary>
    public Compilation Output { get; }

    /// <summary>What the generator reported (and, had it thrown, the driver's CS8785 warning).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>Our generator's result: generated sources, tracked steps, and the exception if it threw.</summary>
    public GeneratorRunResult Result { get; }

    /// <summary>Generated files by hint name, in the order the generator added them.</summary>
    public IReadOnlyList<(string HintName, string Text)> Sources =>
        Result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())).ToList();

    /// <summary>The only generated file's text (fails if there is not exactly one).</summary>
    public string SingleSource => Sources.Single().Text;

    /// <summary>
    /// Warnings and errors of the output compilation: the user's code and the generated code together,
    /// as a build would report them (the generator's own diagnostics are in <see cref="GeneratorDiagnostics"/>).
    /// </summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>
    /// The source text a generator diagnostic points at. The generator stores locations as plain
    /// path + span (so they can be cached), which makes them external-file locations without a
    /// syntax tree: map them back through the path.
    /// </summary>
    public string TextAt(Location location)
    {
        var span = location.GetLineSpan();
        var tree = Input.SyntaxTrees.Single(t => t.FilePath == span.Path);
        return tree.GetText().ToString(location.SourceSpan);
    }

    /// <summary>The run's diagnostics and exception, as text for assertion messages.</summary>
    public string Describe() =>
        string.Join(Environment.NewLine, GeneratorDiagnostics.Select(d => d.ToString()))
        + (Result.Exception is null ? "" : Environment.NewLine + "Generator threw: " + Result.Exception);
}
