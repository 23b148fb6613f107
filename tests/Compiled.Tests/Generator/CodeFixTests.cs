using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Compiled.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// The IDE code fixes, run as an IDE runs them: the generator reports a diagnostic on the source, the provider offers
/// its actions for it, and the chosen action's edited document must be exactly the expected text and generate with
/// no diagnostic left (the fixed network compiles cleanly).
/// </summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("public class Net { }", "public partial class Net { }")]
    [InlineData("class Net { }", "partial class Net { }")]
    [InlineData("public sealed class Net;", "public sealed partial class Net;")]
    public void CMP001_adds_partial_before_class(string declaration, string fixedDeclaration)
    {
        string source = Source("[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n" + declaration);
        Assert.Equal(Source("[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n" + fixedDeclaration),
            Fix(new ModifierFixes(), source, "CMP001", "Make the class partial"));
    }

    [Theory]
    [InlineData("public static partial class Net;", "public partial class Net;")]
    [InlineData("static partial class Net;", "partial class Net;")]
    public void CMP017_removes_static(string declaration, string fixedDeclaration)
    {
        string source = Source("[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n" + declaration);
        Assert.Equal(Source("[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1)]\n" + fixedDeclaration),
            Fix(new ModifierFixes(), source, "CMP017", "Remove 'static'"));
    }

    [Fact]
    public void CMP009_offers_each_loss_and_adds_the_chosen_one_first()
    {
        string source = Source("[Network]\n[Input(4)]\n[Dense(3)]\npublic partial class Net;");
        Assert.Equal(new[]
            {
                "Add Loss = Loss.SoftmaxCrossEntropy (classes)", "Add Loss = Loss.MeanSquaredError (regression)",
                "Add Loss = Loss.BinaryCrossEntropy (yes/no)", "Add Loss = Loss.MultiLabelBinaryCrossEntropy (several labels)",
            },
            Actions(new LossFixes(), source, "CMP009").Select(a => a.Title));
        Assert.Equal(Source("[Network(Loss = Loss.SoftmaxCrossEntropy)]\n[Input(4)]\n[Dense(3)]\npublic partial class Net;"),
            Fix(new LossFixes(), source, "CMP009", "Add Loss = Loss.SoftmaxCrossEntropy (classes)"));

        string seeded = Source("[Network(Seed = 3)]\n[Input(4)]\n[Dense(1)]\npublic partial class Net;");
        Assert.Equal(Source("[Network(Loss = Loss.MeanSquaredError, Seed = 3)]\n[Input(4)]\n[Dense(1)]\npublic partial class Net;"),
            Fix(new LossFixes(), seeded, "CMP009", "Add Loss = Loss.MeanSquaredError (regression)"));
    }

    [Fact]
    public void CMP009_writes_the_full_name_without_a_using()
    {
        const string source = "namespace Fix;\n\n[Compiled.Network]\n[Compiled.Input(4)]\n[Compiled.Dense(1)]\npublic partial class Net;\n";
        Assert.Equal("namespace Fix;\n\n[Compiled.Network(Loss = global::Compiled.Loss.MeanSquaredError)]\n[Compiled.Input(4)]\n[Compiled.Dense(1)]\npublic partial class Net;\n",
            Fix(new LossFixes(), source, "CMP009", "Add Loss = Loss.MeanSquaredError (regression)"));
    }

    [Fact]
    public void CMP022_moves_input_above_the_first_layer()
    {
        string source = Source("[Network(Loss = Loss.MeanSquaredError)]\n[Dense(8)]\n[Dropout(0.1)]\n[Input(4)]\n[Dense(1)]\npublic partial class Net;");
        Assert.Equal(Source("[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(8)]\n[Dropout(0.1)]\n[Dense(1)]\npublic partial class Net;"),
            Fix(new InputOrderFix(), source, "CMP022", "Move [Input] above the layers"));
    }

    [Fact]
    public void CMP022_keeps_the_doc_comment_on_the_first_line()
    {
        string source = Source("/// <summary>A net.</summary>\n[Dense(8)]\n[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(1)]\npublic partial class Net;");
        Assert.Equal(Source("/// <summary>A net.</summary>\n[Input(4)]\n[Dense(8)]\n[Network(Loss = Loss.MeanSquaredError)]\n[Dense(1)]\npublic partial class Net;"),
            Fix(new InputOrderFix(), source, "CMP022", "Move [Input] above the layers"));
    }

    [Fact]
    public void CMP023_adds_a_network_attribute_with_the_chosen_loss()
    {
        string source = Source("/// <summary>A net.</summary>\n[Input(4)]\n[Dense(1)]\npublic partial class Net;");
        Assert.Equal(Source("/// <summary>A net.</summary>\n[Network(Loss = Loss.MeanSquaredError)]\n[Input(4)]\n[Dense(1)]\npublic partial class Net;"),
            Fix(new LossFixes(), source, "CMP023", "Add [Network(Loss = Loss.MeanSquaredError)] (regression)"));

        // Inside a block namespace: the new line takes the declaration's indentation.
        const string indented = "using Compiled;\n\nnamespace Fix\n{\n    [Input(4)]\n    [Dense(1)]\n    public partial class Net;\n}\n";
        Assert.Equal("using Compiled;\n\nnamespace Fix\n{\n    [Network(Loss = Loss.SoftmaxCrossEntropy)]\n    [Input(4)]\n    [Dense(1)]\n    public partial class Net;\n}\n",
            Fix(new LossFixes(), indented.Replace("[Dense(1)]", "[Dense(3)]"), "CMP023", "Add [Network(Loss = Loss.SoftmaxCrossEntropy)] (classes)").Replace("[Dense(3)]", "[Dense(1)]"));
    }

    private static string Source(string declaration) => "using Compiled;\n\nnamespace Fix;\n\n" + declaration + "\n";

    /// <summary>Applies the action titled <paramref name="title"/> for <paramref name="id"/>; checks the result generates cleanly.</summary>
    private static string Fix(CodeFixProvider provider, string source, string id, string title)
    {
        var (document, actions) = ActionsFor(provider, source, id);
        var action = actions.Single(a => a.Title == title);
        var operation = action.GetOperationsAsync(CancellationToken.None).Result.OfType<ApplyChangesOperation>().Single();
        string text = operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync().Result.ToString();

        var run = GeneratorHarness.Run(text);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return text;
    }

    private static IReadOnlyList<CodeAction> Actions(CodeFixProvider provider, string source, string id) => ActionsFor(provider, source, id).Actions;

    private static (Document Document, List<CodeAction> Actions) ActionsFor(CodeFixProvider provider, string source, string id)
    {
        Assert.Contains(id, provider.FixableDiagnosticIds);
        var diagnostic = GeneratorHarness.Run(source).GeneratorDiagnostics.First(d => d.Id == id);
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Fix", "Fix", LanguageNames.CSharp,
            compilationOptions: GeneratorHarness.CompilationOptions, parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        var document = workspace.AddDocument(project.Id, GeneratorHarness.SourcePath(0), SourceText.From(source));
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).Wait();
        Assert.NotEmpty(actions);
        return (document, actions);
    }
}
