using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.CodeFixes;

/// <summary>
/// CMP022 (a layer declared above <c>[Input]</c>): moves the <c>[Input]</c> attribute list up to just before the
/// first attribute list that holds a layer, keeping every other list in its order. Offered when <c>[Input]</c> has a
/// list of its own (<c>[Input(4)]</c>, the usual way to write it).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InputOrderFix)), Shared]
public sealed class InputOrderFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("CMP022");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            if (declaration is null) continue;
            var lists = declaration.AttributeLists;
            int input = lists.IndexOf(l => l.Attributes.Count == 1 && Is(model, l.Attributes[0], "Compiled.InputAttribute"));
            int firstLayer = lists.IndexOf(l => l.Attributes.Any(a => IsLayer(model, a)));
            if (input < 0 || firstLayer < 0 || firstLayer > input) continue;
            context.RegisterCodeFix(CodeAction.Create("Move [Input] above the layers", _ =>
            {
                var moved = lists[input];
                var reordered = lists.RemoveAt(input);
                if (firstLayer == 0)
                {
                    // The first list carries the declaration's doc comment: it stays first, on the moved list.
                    reordered = reordered.Replace(reordered[0], reordered[0].WithLeadingTrivia(moved.GetLeadingTrivia()));
                    moved = moved.WithLeadingTrivia(lists[0].GetLeadingTrivia());
                }
                reordered = reordered.Insert(firstLayer, moved);
                return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, declaration.WithAttributeLists(reordered))));
            }, "CMP022"), diagnostic);
        }
    }

    private static bool Is(SemanticModel model, AttributeSyntax attribute, string name) =>
        model.GetTypeInfo(attribute).Type?.ToDisplayString() == name;

    /// <summary>An attribute of the Compiled namespace other than [Network] and [Input]: a layer.</summary>
    private static bool IsLayer(SemanticModel model, AttributeSyntax attribute)
    {
        var type = model.GetTypeInfo(attribute).Type;
        return type is not null && type.ContainingNamespace?.ToDisplayString() == "Compiled"
            && type.Name is not ("NetworkAttribute" or "InputAttribute");
    }
}
