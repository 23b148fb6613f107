using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.CodeFixes;

/// <summary>
/// CMP009 (<c>[Network]</c> without a loss): adds <c>Loss = Loss.…</c> to the attribute. CMP023 (layer attributes
/// without <c>[Network]</c>): adds <c>[Network(Loss = Loss.…)]</c> above the class's attributes. One fix per loss, the
/// user picks; softmax cross-entropy (classification) is offered first.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossFixes)), Shared]
public sealed class LossFixes : CodeFixProvider
{
    /// <summary>The losses offered, in order, with what each is for.</summary>
    private static readonly (string Name, string Use)[] Losses =
    {
        ("SoftmaxCrossEntropy", "classes"),
        ("MeanSquaredError", "regression"),
        ("BinaryCrossEntropy", "yes/no"),
        ("MultiLabelBinaryCrossEntropy", "several labels"),
    };

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("CMP009", "CMP023");

    public override FixAllProvider? GetFixAllProvider() => null; // each network needs its own choice of loss

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan);
            var attribute = node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();
            if (attribute is null) continue;
            string prefix = LossPrefix(model, attribute.SpanStart);
            foreach (var (name, use) in Losses)
            {
                string loss = prefix + name;
                if (diagnostic.Id == "CMP009")
                {
                    context.RegisterCodeFix(CodeAction.Create($"Add Loss = Loss.{name} ({use})",
                        _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(attribute, WithLoss(attribute, loss)))),
                        "CMP009." + name), diagnostic);
                }
                else if (attribute.Parent is AttributeListSyntax list && list.Parent is ClassDeclarationSyntax declaration)
                {
                    context.RegisterCodeFix(CodeAction.Create($"Add [Network(Loss = Loss.{name})] ({use})",
                        _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, WithNetwork(declaration, model, loss)))),
                        "CMP023." + name), diagnostic);
                }
            }
        }
    }

    /// <summary>"Loss." where <c>Loss</c> names Compiled.Loss at <paramref name="position"/> (a <c>using Compiled;</c>), else the full name.</summary>
    private static string LossPrefix(SemanticModel model, int position) => Qualified(model, position, "Loss", "Loss") + ".";

    /// <summary><paramref name="shortName"/> if the type <paramref name="typeName"/> of namespace Compiled is in scope at <paramref name="position"/>, else global::Compiled.<paramref name="shortName"/>.</summary>
    private static string Qualified(SemanticModel model, int position, string typeName, string shortName) =>
        model.LookupNamespacesAndTypes(position, name: typeName).Any(s => s.ToDisplayString() == "Compiled." + typeName)
            ? shortName
            : "global::Compiled." + shortName;

    /// <summary><c>[Network]</c> → <c>[Network(Loss = …)]</c>; <c>[Network(Seed = 1)]</c> → <c>[Network(Loss = …, Seed = 1)]</c>.</summary>
    private static AttributeSyntax WithLoss(AttributeSyntax attribute, string loss)
    {
        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("Loss"), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(SyntaxFactory.Space)),
            null, SyntaxFactory.ParseExpression(loss));
        var arguments = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var list = arguments.Arguments.Insert(0, argument);
        // Keep "a, b" spacing: the separator after the new first argument gets a space.
        var separated = SyntaxFactory.SeparatedList(list, Enumerable.Repeat(SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space), list.Count - 1));
        return attribute.WithArgumentList(arguments.WithArguments(separated));
    }

    /// <summary>Puts <c>[Network(Loss = …)]</c> on its own line above the class's first attribute list.</summary>
    private static ClassDeclarationSyntax WithNetwork(ClassDeclarationSyntax declaration, SemanticModel model, string loss)
    {
        var first = declaration.AttributeLists[0];
        string network = Qualified(model, first.SpanStart, "NetworkAttribute", "Network");
        var indentation = first.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.Attribute(SyntaxFactory.ParseName(network), SyntaxFactory.ParseAttributeArgumentList($"(Loss = {loss})"))))
            .WithLeadingTrivia(first.GetLeadingTrivia())
            .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        var rest = declaration.AttributeLists.Replace(first, first.WithLeadingTrivia(indentation == default ? SyntaxFactory.TriviaList() : SyntaxFactory.TriviaList(indentation)));
        return declaration.WithAttributeLists(rest.Insert(0, list));
    }
}
