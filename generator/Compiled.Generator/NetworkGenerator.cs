using System.Threading;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using Compiled.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Compiled.Generator;

/// <summary>
/// The pipeline: [Network] classes → parse (spec + diagnostics) → plan → emit, one source file per
/// network. Diagnostics and the spec travel separately so that an edit that only moves code
/// re-reports diagnostics but does not re-emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkParser.NetworkAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        var diagnostics = parsed.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        foreach (string attribute in OrphanLayers.AttributeNames)
        {
            var orphans = context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: (ctx, ct) => OrphanLayers.Check(ctx, attribute, ct));
            context.RegisterSourceOutput(orphans, static (spc, list) =>
            {
                foreach (var diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            });
        }

        var specs = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Spec);
        var sources = specs
            .Select(static (spec, ct) => (FullName: FullName(spec), Source: Generate(spec, ct)))
            .WithTrackingName(TrackingNames.Emit);

        // Hint names must be unique ignoring case (CS8785 otherwise, and every network loses its code):
        // 'A.Net' and 'A.NET' are two classes but one file name on a case-insensitive file system. So
        // each output sees every network's full name; only this cheap step reruns when that list changes.
        var allNames = specs.Select(static (spec, _) => FullName(spec)).Collect().WithTrackingName(TrackingNames.Names);
        context.RegisterSourceOutput(sources.Combine(allNames), static (spc, pair) =>
        {
            var (item, names) = pair;
            spc.AddSource(HintName(item.FullName, names), SourceText.From(item.Source, System.Text.Encoding.UTF8));
        });
    }

    /// <summary>Namespace-qualified class name without '@' (hint names allow no '@').</summary>
    private static string FullName(NetworkSpec spec) =>
        ((spec.Namespace.Length > 0 ? spec.Namespace + "." : "") + spec.ClassName).Replace("@", "");

    /// <summary>
    /// "<paramref name="fullName"/>.Network.g.cs", plus "_2", "_3", … when other networks' names equal it
    /// ignoring case: the suffix is the name's rank among those (ordinal order), so it is stable.
    /// </summary>
    internal static string HintName(string fullName, System.Collections.Immutable.ImmutableArray<string> allNames)
    {
        var same = new System.Collections.Generic.List<string>();
        foreach (string name in allNames)
            if (string.Equals(name, fullName, System.StringComparison.OrdinalIgnoreCase)) same.Add(name);
        same.Sort(System.StringComparer.Ordinal);
        int rank = same.IndexOf(fullName);
        // The same exact name twice (two [Network] declarations of one class) shares a rank; the parser
        // reports that case, so at most one of them reaches this step.
        return fullName + (rank <= 0 ? "" : "_" + (rank + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)) + ".Network.g.cs";
    }

    private static string Generate(NetworkSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return NetworkEmitter.Emit(Planner.Plan(spec));
    }
}

/// <summary>Names of the pipeline's steps, shared with the incrementality tests.</summary>
public static class TrackingNames
{
    public const string Parse = "Parse";
    public const string Diagnostics = "Diagnostics";
    public const string Spec = "Spec";
    public const string Emit = "Emit";
    public const string Names = "Names";
}
