using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Compiled.Generator;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable; each message says how to fix the problem.
/// docs/diagnostics.md lists them with examples.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Compiled";

    private static DiagnosticDescriptor Error(string id, string title, string format) =>
        new(id, title, format, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor NotPartial = Error("CMP001", "Network class must be partial",
        "Network class '{0}' must be declared 'partial' so that the generator can add its members: write 'partial class {0}'");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor MissingInput = Error("CMP002", "Network has no input",
        "Network '{0}' has no [Input]: add [Input(features)] before its first layer");

    /// <summary>Format: {0} what, {1} value.</summary>
    public static readonly DiagnosticDescriptor NonPositiveSize = Error("CMP003", "Size must be positive",
        "{0} is {1}: sizes must be positive integers");

    /// <summary>Format: {0} loss, {1} output size, {2} fix.</summary>
    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = Error("CMP004", "Loss does not fit the output",
        "Loss {0} does not fit an output of {1} unit(s): {2}");

    /// <summary>Format: {0} layer, {1} rate.</summary>
    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error("CMP005", "Dropout rate out of range",
        "Dropout '{0}' has rate {1}: the rate must lie in [0, 1), such as 0.2");

    /// <summary>Format: {0} attribute, {1} detail.</summary>
    public static readonly DiagnosticDescriptor InvalidArgument = Error("CMP006", "Invalid attribute argument",
        "[{0}] has an invalid argument: {1}");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor NestedClass = Error("CMP007", "Nested network classes are not supported",
        "Network class '{0}' is nested in another type: declare it at namespace level");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor GenericClass = Error("CMP008", "Generic network classes are not supported",
        "Network class '{0}' is generic: remove its type parameters");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor MissingLoss = Error("CMP009", "Network has no loss",
        "Network '{0}' has no loss: write [Network(Loss = Loss.SoftmaxCrossEntropy)] or another Loss value");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor NoLayers = Error("CMP010", "Network has no layers",
        "Network '{0}' has no layers: add at least one, such as [Dense(10)]");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor SplitDeclaration = Error("CMP011", "Layers split across partial declarations",
        "Network '{0}' declares layers on more than one partial declaration, so their order is undefined: put [Network], [Input] and every layer on one declaration");

    /// <summary>Format: {0} rank.</summary>
    public static readonly DiagnosticDescriptor UnsupportedInputRank = Error("CMP012", "Input rank not supported yet",
        "[Input] with {0} dimensions is not supported yet: declare a vector, [Input(features)], or an image, [Input(channels, height, width)]");

    /// <summary>Format: {0} name, {1} reason.</summary>
    public static readonly DiagnosticDescriptor InvalidLayerName = Error("CMP013", "Invalid layer name",
        "Layer name '{0}' {1}: use a unique name of letters, digits and underscores that starts with a letter");

    /// <summary>Format: {0} layer, {1} activation, {2} value.</summary>
    public static readonly DiagnosticDescriptor InvalidAlpha = Error("CMP014", "Invalid activation parameter",
        "Layer '{0}' has {1} with Alpha = {2}: Alpha must be a number above 0 that a float holds, between about 1e-45 and 3.4e38 (leaky ReLU slope, ELU α)");

    /// <summary>Format: {0} what, {1} count, {2} limit.</summary>
    public static readonly DiagnosticDescriptor TooLarge = Error("CMP015", "Network too large",
        "{0} needs {1} floats, more than a .NET array holds ({2}): use fewer units or inputs");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor NameClash = Error("CMP016", "Class name clashes with a generated member",
        "Network class '{0}' has the name of a member the generator adds to it: rename the class (or the layer whose members are named '{0}')");

    /// <summary>Format: {0} class name, {1} kind.</summary>
    public static readonly DiagnosticDescriptor UnsupportedTypeKind = Error("CMP017", "Unsupported kind of network type",
        "Network '{0}' is {1}: declare it as a plain 'partial class' (not static, file-local or a record)");

    /// <summary>Format: {0} member name, {1} class name, {2} what the generated member is.</summary>
    public static readonly DiagnosticDescriptor MemberClash = Error("CMP018", "Member clashes with a generated member",
        "'{0}' clashes with the member '{0}' that the generator adds to network '{1}' ({2}): rename yours");

    /// <summary>Format: {0} class name, {1} what is wrong.</summary>
    public static readonly DiagnosticDescriptor ConstructorClash = Error("CMP019", "Constructor conflicts with the generated ones",
        "Network '{0}': {1}");

    /// <summary>Format: {0} class name.</summary>
    public static readonly DiagnosticDescriptor PrimaryConstructor = Error("CMP020", "Primary constructors are not supported on networks",
        "Network '{0}' has a primary constructor, which the generated constructors '{0}()' and '{0}(long seed)' cannot chain to: remove the parameter list and declare an ordinary constructor that calls ': this(seed)'");

    /// <summary>Format: {0} class name, {1} base class.</summary>
    public static readonly DiagnosticDescriptor BaseWithoutParameterlessConstructor = Error("CMP021", "Base class has no parameterless constructor",
        "Network '{0}' derives from '{1}', which has no accessible constructor without arguments, but the generated constructors call base(): add one to '{1}' or derive the network from another class");

    /// <summary>Format: {0} attribute.</summary>
    public static readonly DiagnosticDescriptor LayerBeforeInput = Error("CMP022", "Layer declared before [Input]",
        "[{0}] comes before [Input], but layers run in the order they are written: move [Input] above the first layer");

    /// <summary>Format: {0} class name, {1} attribute.</summary>
    public static readonly DiagnosticDescriptor LayerWithoutNetwork = Error("CMP023", "Layer attributes without [Network]",
        "Class '{0}' has [{1}] but no [Network], so no network is generated: add [Network(Loss = …)] to the class, or remove its layer attributes");

    /// <summary>Format: {0} layer ("Conv2D 'conv1'"), {1} input shape.</summary>
    public static readonly DiagnosticDescriptor NeedsImage = Error("CMP024", "Layer needs an image input",
        "{0} needs an image, [channels, height, width], but its input is {1}: declare [Input(channels, height, width)], and put image layers before any Dense or Flatten");

    /// <summary>Format: {0} layer, {1} output (height×width), {2} input shape, {3} window details.</summary>
    public static readonly DiagnosticDescriptor WindowDoesNotFit = Error("CMP025", "Window does not fit its input",
        "{0} would give an output of {1} from its input {2} ({3}): the window must fit in the padded input; use Padding = Padding.Same, a smaller kernel, stride or dilation, or fewer layers that shrink the image before it");

    /// <summary>Format: {0} layer, {1} groups, {2} what it does not divide.</summary>
    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("CMP026", "Groups do not divide the channels",
        "{0} has Groups = {1}, which does not divide {2}: the input channels and the filters must both be multiples of Groups");

    /// <summary>Format: {0} owner ("layer 'dense1'" or "network 'Net'"), {1} value.</summary>
    public static readonly DiagnosticDescriptor InvalidInitialValue = Error("CMP027", "Initial value is not finite",
        "{0} has InitialValue = {1}, which is not a finite float: give a finite number within ±3.4e38, such as InitialValue = 0.1, or use Initializer.Zeros");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = Index(
        NotPartial, MissingInput, NonPositiveSize, LossDoesNotFitOutput, DropoutRateOutOfRange, InvalidArgument,
        NestedClass, GenericClass, MissingLoss, NoLayers, SplitDeclaration, UnsupportedInputRank, InvalidLayerName, InvalidAlpha,
        TooLarge, NameClash, UnsupportedTypeKind, MemberClash, ConstructorClash, PrimaryConstructor, BaseWithoutParameterlessConstructor,
        LayerBeforeInput, LayerWithoutNetwork, NeedsImage, WindowDoesNotFit, GroupsDoNotDivide, InvalidInitialValue);

    public static DiagnosticDescriptor ById(string id) => All[id];

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var d in descriptors) map.Add(d.Id, d);
        return map;
    }
}
