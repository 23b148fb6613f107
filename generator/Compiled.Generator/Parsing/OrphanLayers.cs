using System.Linq;
using System.Threading;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator.Parsing;

/// <summary>
/// Layer and [Input] attributes on a class without [Network]: the main pipeline never sees such a
/// class (it starts from [Network]), so without this check the attributes would be ignored in silence.
/// </summary>
internal static class OrphanLayers
{
    /// <summary>The attributes that only mean something under [Network]; one pipeline watches each.</summary>
    public static readonly string[] AttributeNames = new[] { NetworkParser.InputAttribute }.Concat(NetworkParser.LayerAttributes).ToArray();

    /// <summary>
    /// One CMP023 per class declaration, at its first layer or [Input] attribute: the pipeline of
    /// <paramref name="attributeName"/> reports only when that first attribute is of its kind.
    /// </summary>
    public static EquatableArray<DiagnosticInfo> Check(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol symbol) return EquatableArray<DiagnosticInfo>.Empty;
        var attributes = symbol.GetAttributes();
        if (attributes.Any(a => a.AttributeClass?.ToDisplayString() == NetworkParser.NetworkAttribute)) return EquatableArray<DiagnosticInfo>.Empty;

        var byNode = attributes
            .Where(a => a.ApplicationSyntaxReference is not null && AttributeNames.Contains(a.AttributeClass?.ToDisplayString()))
            .ToDictionary(a => a.ApplicationSyntaxReference!.GetSyntax(cancellationToken), a => a);
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var first = declaration.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(byNode.ContainsKey);
        if (first is null || byNode[first].AttributeClass!.ToDisplayString() != attributeName) return EquatableArray<DiagnosticInfo>.Empty;

        string shortName = byNode[first].AttributeClass!.Name.Replace("Attribute", "");
        return new EquatableArray<DiagnosticInfo>(new[]
        {
            DiagnosticInfo.Create(DiagnosticDescriptors.LayerWithoutNetwork, first.GetLocation(), symbol.Name, shortName),
        });
    }
}
