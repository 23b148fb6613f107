// Snapshot tests: the generated code of a few representative networks is compared, exactly, with
// checked-in files in Generator/Expected/ (named after the generated file's hint name + ".txt").
// Any change to the emitter shows up here as a readable diff in review.
//
// When a test fails on purpose (the emitter changed), update the expected files in either way:
//  - review the actual output the failing test wrote next to the test binary,
//    bin/<Configuration>/net10.0/Expected/<name>.actual.cs.txt, and copy it over
//    tests/Compiled.Tests/Generator/Expected/<name>.cs.txt; or
//  - run the tests with the environment variable COMPILED_UPDATE_SNAPSHOTS=1:
//        COMPILED_UPDATE_SNAPSHOTS=1 dotnet test tests/Compiled.Tests --filter "FullyQualifiedName~GeneratorSnapshotTests"
//    which writes every actual output straight into the source tree's Expected folder (found by
//    walking up from the test binary to the directory holding Compiled.sln) and passes.
// Either way, read the diff (git diff) before committing it.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace Compiled.Tests.Generator;

public class GeneratorSnapshotTests
{
    private const string UpdateVariable = "COMPILED_UPDATE_SNAPSHOTS";

    public static TheoryData<string, string> Snapshots => new()
    {
        { nameof(NetworkSources.FashionMlp), "FashionMnistSample.FashionMlp.Network.g.cs" },
        { nameof(NetworkSources.FashionCnn), "FashionMnistSample.FashionCnn.Network.g.cs" },
        { nameof(NetworkSources.Regression), "Samples.Housing.HousePrices.Network.g.cs" },
        { nameof(NetworkSources.Binary), "Samples.Medical.Diagnosis.Network.g.cs" },
        { nameof(NetworkSources.GlobalNamespace), "GlobalTagger.Network.g.cs" },
        { nameof(NetworkSources.TrainingLayers), "Samples.Training.SlopeNet.Network.g.cs" },
    };

    /// <summary>The source text of a <see cref="NetworkSources"/> constant, by name (keeps theory data short and serializable).</summary>
    internal static string Source(string name) =>
        (string)typeof(NetworkSources).GetField(name)!.GetRawConstantValue()!;

    [Theory]
    [MemberData(nameof(Snapshots))]
    public void GeneratedCode_MatchesExpectedFile(string source, string hintName)
    {
        var run = GeneratorHarness.Run(Source(source));

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        var (actualHint, actual) = Assert.Single(run.Sources);
        Assert.Equal(hintName, actualHint);
        MatchSnapshot(hintName + ".txt", actual);
    }

    [Theory]
    [MemberData(nameof(Snapshots))]
    public void GeneratedCode_CompilesWithoutWarnings(string source, string hintName)
    {
        var run = GeneratorHarness.Run(Source(source));

        Assert.Equal(hintName, Assert.Single(run.Sources).HintName);
        AssertCompilesCleanly(run);
    }

    /// <summary>
    /// Declarations outside the snapshots, covering what they do not: every activation both fused
    /// into a dense layer and as a layer of its own, softmax before softmax cross-entropy (fused into
    /// the loss) and elsewhere, every initializer, a dropout first, a first layer that is not dense.
    /// Only compiled, not compared: the point is that every combination gives warning-free code.
    /// </summary>
    public static TheoryData<string> MoreDeclarations => new()
    {
        """
        [Network(Loss = Loss.MeanSquaredError, Initializer = Initializer.HeUniform)]
        [Input(5)]
        [Dense(6, Activation.Sigmoid)] [Dense(6, Activation.Tanh)] [Dense(6, Activation.ReLU)]
        [Dense(6, Activation.LeakyReLU)] [Dense(6, Activation.ELU)] [Dense(6, Activation.Softplus)]
        [Dense(6, Activation.Swish)] [Dense(6, Activation.Softmax)] [Dense(2, Initializer = Initializer.GlorotUniform)]
        public partial class AllFusedActivations;
        """,
        """
        [Network(Loss = Loss.MeanSquaredError, Seed = 9223372036854775807)]
        [Input(5)]
        [Activation(Activation.Sigmoid)] [Activation(Activation.Tanh)] [Activation(Activation.ReLU)]
        [Activation(Activation.LeakyReLU)] [Activation(Activation.ELU)] [Activation(Activation.Softplus)]
        [Activation(Activation.Swish)] [Activation(Activation.Softmax)] [Activation(Activation.Identity)]
        [Dense(2)]
        public partial class AllActivationLayers;
        """,
        """
        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        [Input(4)]
        [Dropout(0.1)]
        [Dense(8, Activation.ReLU, Initializer = Initializer.HeNormal)]
        [Dense(3, Activation.Softmax, Initializer = Initializer.GlorotNormal)]
        public partial class FusedSoftmax;
        """,
        """
        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        [Input(4)]
        [Dense(3)]
        [Activation(Activation.Softmax, Name = "probabilities")]
        public partial class SoftmaxLayerIntoLoss;
        """,
        """
        [Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = -9223372036854775808)]
        [Input(4)]
        [Dense(3)]
        [Activation(Activation.Sigmoid, Name = "p")]
        public partial class MultiLabelWithSigmoidLayer;
        """,
        """
        [Network(Loss = Loss.BinaryCrossEntropy)]
        [Input(3)]
        [Dense(1)]
        public sealed partial class LogisticRegression;
        """,
        """
        [Network(Loss = Loss.MeanSquaredError, Initializer = Initializer.GlorotNormal)]
        [Input(3, 9, 7)]
        [Conv2D(6, KernelHeight = 3, KernelWidth = 2, Stride = 2, Padding = Padding.Same, Groups = 3, Bias = false, Activation = Activation.Swish, Name = "depthwise")]
        [Conv2D(4, 1, Activation.Softmax)]
        [AvgPool(3, Stride = 1, Pad = 1)]
        [MaxPool(2, Padding = Padding.Same)]
        [Activation(Activation.ELU, Alpha = 0.5)]
        [Conv2D(2, 2, Activation.LeakyReLU, Dilation = 2, PadHeight = 1, PadWidth = 1, Alpha = 0.2, Initializer = Initializer.HeNormal)]
        [GlobalAveragePool]
        [Dropout(0.1)]
        [Dense(2)]
        public partial class EveryImageOption;
        """,
        """
        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        [Input(1, 4, 4)]
        [Flatten]
        [Dense(3, Activation.Softmax)]
        public partial class FlattenFirst;
        """,
        """
        [Network(Loss = Loss.BinaryCrossEntropy)]
        [Input(2, 5, 5)]
        [MaxPool(3, Stride = 1)]
        [Conv2D(1, 3, Activation.Sigmoid)]
        public partial class PoolFirstConvLast;
        """,
        """
        [Network(Loss = Loss.MultiLabelBinaryCrossEntropy)]
        [Input(3, 8, 8)]
        [BatchNorm(Name = "inputNorm")]
        [Conv2D(8, 3, Bias = false, Padding = Padding.Same)]
        [BatchNorm(Momentum = 0.01, Epsilon = 1e-3)]
        [Activation(Activation.ReLU)]
        [GlobalAveragePool]
        [Dense(4)]
        [BatchNorm]
        public partial class BatchNormEverywhere;
        """,
        """
        [Network(Loss = Loss.MeanSquaredError)]
        [Input(3, 8, 8)]
        [SeparableConv2D(8, 3, Activation.Softplus, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same, Initializer = Initializer.HeNormal)]
        [SeparableConv2D(4, 3, Bias = false, Pad = 1, Dilation = 2, Name = "sep")]
        [Conv2DTranspose(6, 3, Activation.Swish, Stride = 2, Pad = 1, OutputPad = 1, Groups = 2)]
        [Conv2DTranspose(3, 2, Activation.Softmax, Stride = 2, Padding = Padding.Same, Bias = false)]
        public partial class UpAndDown;
        """,
    };

    [Theory]
    [MemberData(nameof(MoreDeclarations))]
    public void MoreDeclarations_CompileWithoutWarnings(string declaration)
    {
        var run = GeneratorHarness.Run("using Compiled;\n\nnamespace More;\n\n/// <summary>A test network.</summary>\n" + declaration + "\n");

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        Assert.Single(run.Sources);
        AssertCompilesCleanly(run);
    }

    [Fact]
    public void Generation_IsByteIdenticalAcrossRuns()
    {
        // Two independent drivers over two independently parsed compilations: nothing may depend on
        // hash-set order, object identity or time.
        string first = GeneratorHarness.Run(NetworkSources.Regression, NetworkSources.FashionMlp).Sources.Select(s => s.HintName + "\n" + s.Text).Aggregate(string.Concat);
        string second = GeneratorHarness.Run(NetworkSources.Regression, NetworkSources.FashionMlp).Sources.Select(s => s.HintName + "\n" + s.Text).Aggregate(string.Concat);

        Assert.Equal(Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes(second));
    }

    [Fact]
    public void Generation_IgnoresTheCurrentCulture()
    {
        // A build machine's culture must not leak into the generated code: with a comma decimal
        // separator, "0.2f" would become "0,2f" (two arguments), and with U+2212 as the minus sign
        // "-7L" would become "−7L" (not C#). Swedish uses both; set them explicitly as well, since
        // a globalization-invariant runtime would hand back invariant data for "sv-SE".
        string invariant = GeneratorHarness.Run(NetworkSources.CultureSensitive).SingleSource;

        var culture = SwedishLikeCulture();
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        var (savedCulture, savedUiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        GeneratorRun run;
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            // Guard the test itself: the culture must really be in effect where the generator runs.
            Assert.Equal("\u22127 0,25", $"{-7L} {0.25}");
            run = GeneratorHarness.Run(NetworkSources.CultureSensitive);
        }
        finally
        {
            CultureInfo.CurrentCulture = savedCulture;
            CultureInfo.CurrentUICulture = savedUiCulture;
        }

        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        AssertSameText(invariant, run.SingleSource, "generated under sv-SE (U+2212 minus, decimal comma)");
        Assert.Contains("0.2f", invariant, StringComparison.Ordinal);
        Assert.Contains("0.75f", invariant, StringComparison.Ordinal);
        Assert.Contains("-7L", invariant, StringComparison.Ordinal);
        AssertCompilesCleanly(run);
    }

    private static CultureInfo SwedishLikeCulture()
    {
        CultureInfo culture;
        try
        {
            culture = (CultureInfo)CultureInfo.GetCultureInfo("sv-SE").Clone();
        }
        catch (CultureNotFoundException)
        {
            culture = (CultureInfo)CultureInfo.InvariantCulture.Clone(); // globalization-invariant runtime
        }
        return culture;
    }

    /// <summary>No warning or error in the user's code plus the generated code (nullable on, every warning wave).</summary>
    internal static void AssertCompilesCleanly(GeneratorRun run)
    {
        var problems = run.CompilationProblems;
        Assert.True(problems.Count == 0,
            $"The generated code does not compile cleanly ({problems.Count} problem(s)):{Environment.NewLine}"
            + string.Join(Environment.NewLine, problems.Take(20).Select(d => $"{d}    // {LineOf(d)}")));
    }

    private static string LineOf(Microsoft.CodeAnalysis.Diagnostic diagnostic)
    {
        var tree = diagnostic.Location.SourceTree;
        if (tree is null) return "";
        int line = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
        return tree.GetText().Lines[line].ToString().Trim();
    }

    /// <summary>
    /// Compares <paramref name="actual"/> with Expected/<paramref name="fileName"/> (line endings
    /// normalized, nothing else). On a mismatch it writes the actual text beside the expected file in
    /// the output directory and fails with the first differing line; under COMPILED_UPDATE_SNAPSHOTS=1
    /// it writes the source tree's expected file instead and passes.
    /// </summary>
    private static void MatchSnapshot(string fileName, string actual)
    {
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            string target = Path.Combine(SourceExpectedDirectory(), fileName);
            File.WriteAllText(target, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        string expectedPath = Path.Combine(AppContext.BaseDirectory, "Expected", fileName);
        string actualPath = Path.Combine(AppContext.BaseDirectory, "Expected", Path.GetFileNameWithoutExtension(Path.GetFileNameWithoutExtension(fileName)) + ".actual.cs.txt");
        string? expected = File.Exists(expectedPath) ? Normalize(File.ReadAllText(expectedPath)) : null;
        if (expected == actual)
        {
            if (File.Exists(actualPath)) File.Delete(actualPath); // a stale one from an earlier failure would mislead
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(actualPath)!);
        File.WriteAllText(actualPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        string how = $"The actual output was written to {actualPath}. If the change is intended, copy it over "
            + $"tests/Compiled.Tests/Generator/Expected/{fileName}, or rerun with {UpdateVariable}=1 (see the top of GeneratorSnapshotTests.cs).";
        Assert.Fail(expected is null
            ? $"No expected file {expectedPath}. {how}"
            : $"{fileName}: {FirstDifference(expected, actual)}{Environment.NewLine}{how}");
    }

    private static void AssertSameText(string expected, string actual, string what)
    {
        if (expected != actual) Assert.Fail($"Output {what} differs: {FirstDifference(expected, actual)}");
    }

    /// <summary>"line N differs", with both lines, or which text has more lines.</summary>
    internal static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
        {
            if (e[i] != a[i])
                return $"line {i + 1} differs.{Environment.NewLine}  expected: {e[i]}{Environment.NewLine}  actual:   {a[i]}";
        }
        return e.Length > a.Length
            ? $"the actual text ends at line {a.Length}; expected continues with: {e[a.Length]}"
            : $"the expected text ends at line {e.Length}; actual continues with: {a[e.Length]}";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");

    /// <summary>tests/Compiled.Tests/Generator/Expected in the source tree: up from the test binary to the directory holding Compiled.sln.</summary>
    private static string SourceExpectedDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compiled.sln")))
                return Path.Combine(dir.FullName, "tests", "Compiled.Tests", "Generator", "Expected");
        }
        throw new InvalidOperationException($"{UpdateVariable}=1, but no directory above {AppContext.BaseDirectory} holds Compiled.sln: copy the .actual.cs.txt files by hand.");
    }
}
