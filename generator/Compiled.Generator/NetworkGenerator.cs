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

        var specs = parsed
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.Spec);
        var sources = specs
            .Select(static (spec, ct) => (spec.Namespace, spec.ClassName, Source: Generate(spec, ct)))
            .WithTrackingName(TrackingNames.Emit);
        context.RegisterSourceOutput(sources, static (spc, item) =>
        {
            // Hint names allow no '@' (keywords used as names are escaped in the namespace's display string).
            string hint = ((item.Namespace.Length > 0 ? item.Namespace + "." : "") + item.ClassName).Replace("@", "") + ".Network.g.cs";
            spc.AddSource(hint, SourceText.From(item.Source, System.Text.Encoding.UTF8));
        });
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
}
