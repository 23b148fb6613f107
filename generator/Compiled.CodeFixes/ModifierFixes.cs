using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.CodeFixes;

/// <summary>
/// CMP001 (the network class is not partial): adds <c>partial</c> before <c>class</c>. CMP017 for a <c>static</c>
/// class: removes <c>static</c>. Both are reported on the class name.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ModifierFixes)), Shared]
public sealed class ModifierFixes : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("CMP001", "CMP017");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            if (declaration is null) continue;
            if (diagnostic.Id == "CMP001" && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                context.RegisterCodeFix(CodeAction.Create("Make the class partial",
                    token => Replace(context.Document, root, declaration, AddPartial(declaration), token), "CMP001"), diagnostic);
            }
            else if (diagnostic.Id == "CMP017" && declaration.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                context.RegisterCodeFix(CodeAction.Create("Remove 'static'",
                    token => Replace(context.Document, root, declaration, RemoveStatic(declaration), token), "CMP017"), diagnostic);
            }
        }
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement, CancellationToken token) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));

    /// <summary><c>partial</c> goes last among the modifiers, just before <c>class</c> (C# requires that place).</summary>
    private static ClassDeclarationSyntax AddPartial(ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count > 0)
            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        // No modifiers: the line's indentation sits before 'class'; it moves to 'partial'.
        var keyword = declaration.Keyword;
        return declaration
            .WithKeyword(keyword.WithLeadingTrivia())
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
    }

    private static ClassDeclarationSyntax RemoveStatic(ClassDeclarationSyntax declaration)
    {
        var modifiers = declaration.Modifiers;
        int index = modifiers.IndexOf(SyntaxKind.StaticKeyword);
        var removed = modifiers[index];
        modifiers = modifiers.RemoveAt(index);
        // The removed token's indentation stays with whatever now starts the line.
        if (index < modifiers.Count)
            return declaration.WithModifiers(modifiers.Replace(modifiers[index], modifiers[index].WithLeadingTrivia(removed.LeadingTrivia)));
        if (index == 0)
            return declaration.WithModifiers(modifiers).WithKeyword(declaration.Keyword.WithLeadingTrivia(removed.LeadingTrivia));
        return declaration.WithModifiers(modifiers);
    }
}
