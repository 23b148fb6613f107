namespace Compiled.Tests.Generator;

/// <summary>
/// Network declarations as a user writes them, shared by the generator tests. Each is a whole source
/// file. The doc comments keep the sources themselves free of warnings (the tests parse them with
/// documentation diagnostics on), so any warning a test sees comes from the generated code.
/// </summary>
internal static class NetworkSources
{
    /// <summary>The Fashion-MNIST sample's CNN (samples/FashionMnist/FashionCnn.cs): Same convolutions, max pooling, flatten, dropout.</summary>
    public const string FashionCnn = """
        using Compiled;

        namespace FashionMnistSample;

        /// <summary>28×28 → 16×28×28 → 16×14×14 → 32×14×14 → 32×7×7 → 128 → 10.</summary>
        [Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
        [Input(1, 28, 28)]
        [Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same)]
        [MaxPool(2)]
        [Conv2D(32, 3, Activation.ReLU, Padding = Padding.Same)]
        [MaxPool(2)]
        [Flatten]
        [Dense(128, Activation.ReLU)]
        [Dropout(0.3)]
        [Dense(10)]
        public partial class FashionCnn;
        """;

    /// <summary>The training layers of issue 12: PReLU per channel and shared, LayerNorm, zeros and constant initializers.</summary>
    public const string TrainingLayers = """
        using Compiled;

        namespace Samples.Training;

        /// <summary>A small CNN with learned slopes.</summary>
        [Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 7)]
        [Input(2, 8, 8)]
        [Conv2D(4, 3, Padding = Padding.Same, Initializer = Initializer.Constant, InitialValue = 0.05)]
        [PReLU]
        [MaxPool(2)]
        [Dense(8)]
        [LayerNorm(Epsilon = 1e-3)]
        [PReLU(Shared = true, InitialValue = 0.1, Name = "slope")]
        [Dense(3, Initializer = Initializer.Zeros)]
        public partial class SlopeNet;
        """;

    /// <summary>The Fashion-MNIST sample's model (samples/FashionMnist/FashionMlp.cs): ReLU, dropout, softmax cross-entropy from logits.</summary>
    public const string FashionMlp = """
        using Compiled;

        namespace FashionMnistSample;

        /// <summary>784 pixels → 256 ReLU units → dropout → 10 class logits.</summary>
        [Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
        [Input(784)]
        [Dense(256, Activation.ReLU)]
        [Dropout(0.2)]
        [Dense(10)]
        public partial class FashionMlp;
        """;

    /// <summary>
    /// Regression with standalone activation layers: Swish keeps its pre-activation z for backward,
    /// leaky ReLU and ELU carry an Alpha, a named layer, per-layer and network initializers.
    /// </summary>
    public const string Regression = """
        using Compiled;

        namespace Samples.Housing;

        /// <summary>A regression net.</summary>
        [Network(Loss = Loss.MeanSquaredError, Seed = 3, Initializer = Initializer.GlorotNormal)]
        [Input(13)]
        [Dense(64, Activation.Swish)]
        [Dense(32)]
        [Activation(Activation.LeakyReLU, Alpha = 0.1)]
        [Dense(16, Activation.ELU, Alpha = 0.5, Initializer = Initializer.HeNormal)]
        [Activation(Activation.Tanh, Name = "squash")]
        [Dense(1)]
        internal partial class HousePrices;
        """;

    /// <summary>Binary classification whose last layer's sigmoid the loss consumes (output is a probability).</summary>
    public const string Binary = """
        using Compiled;

        namespace Samples.Medical;

        /// <summary>A binary classifier.</summary>
        [Network(Loss = Loss.BinaryCrossEntropy, Seed = 7)]
        [Input(30)]
        [Dense(16, Activation.Tanh, Name = "hidden")]
        [Dropout(0.5)]
        [Dense(1, Activation.Sigmoid, Name = "out")]
        public partial class Diagnosis;
        """;

    /// <summary>A network in the global namespace (no namespace block), multi-label, softplus.</summary>
    public const string GlobalNamespace = """
        using Compiled;

        /// <summary>Independent tags.</summary>
        [Network(Loss = Loss.MultiLabelBinaryCrossEntropy)]
        [Input(8)]
        [Dense(16, Activation.Softplus)]
        [Dense(4)]
        public partial class GlobalTagger;
        """;

    /// <summary>
    /// Fractional literals (Alpha, dropout rate and keep probability) and a negative seed: what a
    /// culture with a comma decimal separator or a U+2212 minus sign would garble if the emitter
    /// formatted numbers with the current culture.
    /// </summary>
    public const string CultureSensitive = """
        using Compiled;

        namespace Samples.Culture;

        /// <summary>Numbers that print differently per culture.</summary>
        [Network(Loss = Loss.SoftmaxCrossEntropy, Seed = -7)]
        [Input(20)]
        [Dense(32, Activation.LeakyReLU, Alpha = 0.2)]
        [Dropout(0.25)]
        [Activation(Activation.ELU, Alpha = 1.5)]
        [Dense(3)]
        public partial class CultureNet;
        """;
}
