using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator.Parsing;

/// <summary>
/// Parse step: the attributes on a [Network] class → an equatable <see cref="NetworkSpec"/> plus
/// diagnostics. It also runs the planner's validation, because only here are the attribute locations
/// known; the spec that leaves this step carries no location, so moving code around re-reports
/// diagnostics without re-running the emitter.
/// </summary>
internal static partial class NetworkParser
{
    public const string NetworkAttribute = "Compiled.NetworkAttribute";
    public const string InputAttribute = "Compiled.InputAttribute";
    public const string DenseAttribute = "Compiled.DenseAttribute";
    public const string ActivationAttribute = "Compiled.ActivationAttribute";
    public const string DropoutAttribute = "Compiled.DropoutAttribute";
    public const string Conv2DAttribute = "Compiled.Conv2DAttribute";
    public const string MaxPoolAttribute = "Compiled.MaxPoolAttribute";
    public const string AvgPoolAttribute = "Compiled.AvgPoolAttribute";
    public const string GlobalAveragePoolAttribute = "Compiled.GlobalAveragePoolAttribute";
    public const string FlattenAttribute = "Compiled.FlattenAttribute";
    public const string BatchNormAttribute = "Compiled.BatchNormAttribute";
    public const string Conv2DTransposeAttribute = "Compiled.Conv2DTransposeAttribute";
    public const string SeparableConv2DAttribute = "Compiled.SeparableConv2DAttribute";
    public const string PReLUAttribute = "Compiled.PReLUAttribute";
    public const string LayerNormAttribute = "Compiled.LayerNormAttribute";

    /// <summary>Every layer attribute, in no particular order.</summary>
    public static readonly string[] LayerAttributes =
    {
        DenseAttribute, ActivationAttribute, DropoutAttribute, Conv2DAttribute, MaxPoolAttribute, AvgPoolAttribute,
        GlobalAveragePoolAttribute, FlattenAttribute, BatchNormAttribute, Conv2DTransposeAttribute, SeparableConv2DAttribute,
        PReLUAttribute, LayerNormAttribute,
    };

    private static bool IsLayer(string? name) => name is not null && System.Array.IndexOf(LayerAttributes, name) >= 0;

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        string className = symbol.Name;
        var classLocation = declaration.Identifier.GetLocation();

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, className));
        if (symbol.ContainingType is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedClass, classLocation, className));
        if (symbol.IsGenericType)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericClass, classLocation, className));
        if (symbol.IsStatic)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeKind, classLocation, className, "static"));
        if (symbol.IsFileLocal)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeKind, classLocation, className, "file-local"));
        if (symbol.IsRecord)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeKind, classLocation, className, "a record"));

        // Attributes in source order: Roslyn's GetAttributes() order is not specified across partial
        // declarations, so read the syntax of this declaration and match each to its AttributeData.
        var byNode = new Dictionary<SyntaxNode, AttributeData>();
        foreach (var data in symbol.GetAttributes())
        {
            var node = data.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (node is not null) byNode[node] = data;
        }
        var ownNodes = new HashSet<SyntaxNode>(declaration.AttributeLists.SelectMany(l => l.Attributes));
        foreach (var pair in byNode)
        {
            if (!ownNodes.Contains(pair.Key) && IsLayerOrInput(pair.Value))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitDeclaration, pair.Key.GetLocation(), className));
                break;
            }
        }

        LossKind loss = LossKind.None;
        long seed = 0;
        double labelSmoothing = 0;
        var networkInit = InitializerKind.Auto;
        double networkInitialValue = 0;
        Location networkLocation = classLocation;
        int[]? inputShape = null;
        var layers = new List<LayerSpec>();
        var layerLocations = new List<Location>();
        var names = new HashSet<string>();
        int denseCount = 0, activationCount = 0, dropoutCount = 0;
        var ordinals = new Dictionary<string, int>(); // per layer kind, for default names (conv1, maxpool1, …)
        bool sawInput = false, sawLayer = false; // even when rejected: no follow-on "missing" errors

        // Source order is layer order, so a layer written above [Input] is a mistake, not something to reorder.
        var ownAttributes = declaration.AttributeLists.SelectMany(l => l.Attributes).ToList();
        int inputIndex = ownAttributes.FindIndex(a => byNode.TryGetValue(a, out var d) && d.AttributeClass?.ToDisplayString() == InputAttribute);

        for (int index = 0; index < ownAttributes.Count; index++)
        {
            var attribute = ownAttributes[index];
            cancellationToken.ThrowIfCancellationRequested();
            if (!byNode.TryGetValue(attribute, out var data)) continue;
            string? name = data.AttributeClass?.ToDisplayString();
            var location = attribute.GetLocation();
            string shortName = data.AttributeClass?.Name.Replace("Attribute", "") ?? "?";
            if (name is not (NetworkAttribute or InputAttribute) && !IsLayer(name)) continue;

            sawInput |= name == InputAttribute;
            sawLayer |= IsLayer(name);
            if (IsLayer(name) && index < inputIndex)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerBeforeInput, location, shortName));
            if (!AllConstant(data, out string? problem))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName, problem!));
                continue;
            }

            switch (name)
            {
                case NetworkAttribute:
                    networkLocation = location;
                    loss = (LossKind)Named(data, "Loss", 0);
                    if (loss != LossKind.None && !System.Enum.IsDefined(typeof(LossKind), loss))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName, $"Loss {(int)loss} is not a Loss value"));
                        loss = LossKind.None;
                        break;
                    }
                    if (loss == LossKind.None)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingLoss, location, className));
                    seed = NamedLong(data, "Seed");
                    networkInit = ReadInitializer(data, location, shortName, $"network '{className}'", diagnostics, out networkInitialValue);
                    if (NamedValue(data, "LabelSmoothing") is { Value: { } smoothingValue })
                    {
                        labelSmoothing = System.Convert.ToDouble(smoothingValue, CultureInfo.InvariantCulture);
                        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                                $"LabelSmoothing = {labelSmoothing.ToString("R", CultureInfo.InvariantCulture)}: it must lie in [0, 1), such as 0.1"));
                        else if (labelSmoothing > 0 && loss != LossKind.SoftmaxCrossEntropy)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName,
                                $"LabelSmoothing applies to Loss.SoftmaxCrossEntropy only, not {loss}; remove it"));
                    }
                    break;

                case InputAttribute:
                    inputShape = ReadShape(data);
                    if (inputShape.Length == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, shortName, "give at least one dimension, such as [Input(784)]"));
                        inputShape = null;
                        break;
                    }
                    foreach (int d in inputShape)
                        if (d <= 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, "An [Input] dimension", d.ToString(CultureInfo.InvariantCulture)));
                    if (inputShape.Length is not (1 or 3))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedInputRank, location, inputShape.Length.ToString(CultureInfo.InvariantCulture)));
                    break;

                case DenseAttribute:
                {
                    int units = (int)data.ConstructorArguments[0].Value!;
                    var activation = ReadActivation(data.ConstructorArguments.Length > 1 ? data.ConstructorArguments[1] : default, location, shortName, diagnostics);
                    string layerName = ReadName(data, "dense", ++denseCount, location, names, diagnostics);
                    if (units <= 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, location, $"Dense '{layerName}' units", units.ToString(CultureInfo.InvariantCulture)));
                    double alpha = ReadAlpha(data, activation, layerName, location, shortName, diagnostics);
                    var init = ReadInitializer(data, location, shortName, $"layer '{layerName}'", diagnostics, out double initialValue);
                    var (l1, l2) = ReadPenalties(data, layerName, location, shortName, diagnostics);
                    layers.Add(new LayerSpec(LayerKind.Dense, layerName, units, activation, alpha, 0, init, L1: l1, L2: l2, InitialValue: initialValue));
                    layerLocations.Add(location);
                    break;
                }

                case ActivationAttribute:
                {
                    var activation = ReadActivation(data.ConstructorArguments[0], location, shortName, diagnostics);
                    string layerName = ReadName(data, "activation", ++activationCount, location, names, diagnostics);
                    double alpha = ReadAlpha(data, activation, layerName, location, shortName, diagnostics);
                    layers.Add(new LayerSpec(LayerKind.Activation, layerName, 0, activation, alpha, 0, InitializerKind.Auto));
                    layerLocations.Add(location);
                    break;
                }

                case DropoutAttribute:
                {
                    double rate = System.Convert.ToDouble(data.ConstructorArguments[0].Value, CultureInfo.InvariantCulture);
                    string layerName = ReadName(data, "dropout", ++dropoutCount, location, names, diagnostics);
                    if (!(rate >= 0 && rate < 1))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutRateOutOfRange, location, layerName, rate.ToString("R", CultureInfo.InvariantCulture)));
                    layers.Add(new LayerSpec(LayerKind.Dropout, layerName, 0, ActivationKind.Identity, 0, rate, InitializerKind.Auto));
                    layerLocations.Add(location);
                    break;
                }

                default:
                    layers.Add(ReadImageLayer(data, name!, location, shortName, ordinals, names, diagnostics));
                    layerLocations.Add(location);
                    break;
            }
        }

        // One list of what the generated half will hold: the class may not take one of those names (CS0542),
        // and the user's own members may not either.
        var generated = NetworkEmitter.GeneratedMemberNames(layers.Select(l => l.Name));
        if (generated.ContainsKey(className))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClash, classLocation, className));
        MemberChecks.Check(symbol, className, generated, diagnostics);
        if (!sawInput)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, networkLocation, className));
        if (!sawLayer)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, networkLocation, className));

        if (diagnostics.Count > 0 || inputShape is null)
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));

        var spec = new NetworkSpec(
            symbol.ContainingNamespace.IsGlobalNamespace ? "" : symbol.ContainingNamespace.ToDisplayString(),
            className, loss, seed, networkInit,
            new EquatableArray<int>(inputShape), new EquatableArray<LayerSpec>(layers.ToArray()), labelSmoothing, networkInitialValue);

        // Shape-level checks (the planner's), reported at the attribute they concern.
        foreach (var error in Planner.Validate(spec))
        {
            var at = error.LayerIndex >= 0 ? layerLocations[error.LayerIndex] : networkLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ById(error.DiagnosticId), at, error.Arguments));
        }
        return diagnostics.Count > 0
            ? new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()))
            : new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static bool IsLayerOrInput(AttributeData data)
    {
        string? name = data.AttributeClass?.ToDisplayString();
        return name == InputAttribute || IsLayer(name);
    }

    /// <summary>
    /// The compiler already rejects a non-constant argument (CS0182) but still hands us the attribute,
    /// with an error-kind constant: say what we need instead of generating from garbage.
    /// </summary>
    private static bool AllConstant(AttributeData data, out string? problem)
    {
        problem = null;
        if (data.AttributeConstructor is null)
        {
            problem = "the arguments do not match any constructor; use constant values, such as [Dense(128, Activation.ReLU)]";
            return false;
        }
        foreach (var arg in data.ConstructorArguments.Concat(data.NamedArguments.Select(n => n.Value)))
        {
            if (arg.Kind == TypedConstantKind.Error || (arg.Kind != TypedConstantKind.Array && arg.Value is null && arg.Type?.IsValueType == true))
            {
                problem = "every argument must be a compile-time constant (a literal or a const)";
                return false;
            }
            if (arg.Kind == TypedConstantKind.Array && arg.IsNull)
            {
                problem = "give the dimensions as constants, such as [Input(784)], not null";
                return false;
            }
            if (arg.Kind == TypedConstantKind.Array)
                foreach (var element in arg.Values)
                    if (element.Kind == TypedConstantKind.Error || element.Value is null)
                    {
                        problem = "every argument must be a compile-time constant (a literal or a const)";
                        return false;
                    }
        }
        return true;
    }

    private static int[] ReadShape(AttributeData data)
    {
        var arg = data.ConstructorArguments[0];
        return arg.Kind == TypedConstantKind.Array
            ? arg.Values.Select(v => (int)v.Value!).ToArray()
            : new[] { (int)arg.Value! };
    }

    private static ActivationKind ReadActivation(TypedConstant arg, Location location, string attribute, List<DiagnosticInfo> diagnostics)
    {
        if (arg.IsNull || arg.Value is null) return ActivationKind.Identity;
        var kind = (ActivationKind)(int)arg.Value;
        if (System.Enum.IsDefined(typeof(ActivationKind), kind)) return kind;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, attribute, $"{(int)kind} is not an Activation value"));
        return ActivationKind.Identity;
    }

    /// <summary>
    /// The attribute's <c>Initializer</c> and, for <c>Initializer.Constant</c>, its <c>InitialValue</c> (0 when not given).
    /// The value must be finite as a float (CMP027) and is an error with any other initializer.
    /// </summary>
    private static InitializerKind ReadInitializer(AttributeData data, Location location, string attribute, string owner, List<DiagnosticInfo> diagnostics, out double initialValue)
    {
        initialValue = 0;
        var kind = (InitializerKind)Named(data, "Initializer", 0);
        if (!System.Enum.IsDefined(typeof(InitializerKind), kind))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, attribute, $"{(int)kind} is not an Initializer value"));
            return InitializerKind.Auto;
        }
        if (ReadInitialValue(data, location, owner, diagnostics) is not { } v) return kind;
        if (kind != InitializerKind.Constant)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, attribute,
                $"{owner} gives InitialValue = {v.ToString("R", CultureInfo.InvariantCulture)} with Initializer.{kind}, which takes no value; add Initializer = Initializer.Constant or remove InitialValue"));
        else
            initialValue = v;
        return kind;
    }

    /// <summary>The attribute's <c>InitialValue</c> when given and finite as a float; null when absent, or after CMP027.</summary>
    private static double? ReadInitialValue(AttributeData data, Location location, string owner, List<DiagnosticInfo> diagnostics)
    {
        if (NamedValue(data, "InitialValue") is not { Value: { } value }) return null;
        double v = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
        float single = (float)v; // the generated code holds the value as a float: 1e300 would be ∞
        if (!float.IsNaN(single) && !float.IsInfinity(single)) return v;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInitialValue, location, owner, v.ToString("R", CultureInfo.InvariantCulture)));
        return null;
    }

    /// <summary>The weight penalties L1 and L2 (0 when not given); each must be a finite number ≥ 0 that a float holds.</summary>
    private static (double L1, double L2) ReadPenalties(AttributeData data, string layer, Location location, string attribute, List<DiagnosticInfo> diagnostics)
    {
        double Read(string name)
        {
            if (NamedValue(data, name) is not { Value: { } value }) return 0;
            double v = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (v >= 0 && !float.IsInfinity((float)v)) return v;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, attribute,
                $"layer '{layer}' has {name} = {v.ToString("R", CultureInfo.InvariantCulture)}: a penalty must be 0 or a positive number, such as 1e-4"));
            return 0;
        }
        return (Read("L1"), Read("L2"));
    }

    private static double ReadAlpha(AttributeData data, ActivationKind activation, string layer, Location location, string attribute, List<DiagnosticInfo> diagnostics)
    {
        double? given = null;
        foreach (var named in data.NamedArguments)
            if (named.Key == "Alpha") given = System.Convert.ToDouble(named.Value.Value, CultureInfo.InvariantCulture);
        double alpha = activation switch
        {
            ActivationKind.LeakyReLU => given ?? 0.01,
            ActivationKind.ELU => given ?? 1.0,
            _ => 0,
        };
        if (alpha != 0 || given is not null)
        {
            // The emitted code holds Alpha as a float: 1e300 would be written as ∞, 1e-50 as 0.
            float single = (float)alpha;
            if ((activation is ActivationKind.LeakyReLU or ActivationKind.ELU) && !(single > 0 && !float.IsInfinity(single)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidAlpha, location, layer, activation.ToString(), alpha.ToString("R", CultureInfo.InvariantCulture)));
            else if (activation is not (ActivationKind.LeakyReLU or ActivationKind.ELU))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, attribute, $"layer '{layer}' has activation {activation}, which takes no Alpha; remove Alpha"));
        }
        return alpha;
    }

    private static string ReadName(AttributeData data, string prefix, int ordinal, Location location, HashSet<string> names, List<DiagnosticInfo> diagnostics)
    {
        string? given = null;
        foreach (var named in data.NamedArguments)
            if (named.Key == "Name") given = named.Value.Value as string;
        string name = given ?? prefix + ordinal.ToString(CultureInfo.InvariantCulture);
        if (given is not null && !IsIdentifier(given))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, location, given, "is not a valid name"));
        else if (!names.Add(Naming.Pascal(name)))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, location, name, "is already used by another layer"));
        return name;
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !char.IsLetter(name[0])) return false;
        foreach (char c in name) if (!(char.IsLetterOrDigit(c) || c == '_') || c > 127) return false;
        return true;
    }

    private static int Named(AttributeData data, string key, int fallback)
    {
        foreach (var named in data.NamedArguments)
            if (named.Key == key && named.Value.Value is int i) return i;
        return fallback;
    }

    private static long NamedLong(AttributeData data, string key)
    {
        foreach (var named in data.NamedArguments)
            if (named.Key == key && named.Value.Value is not null) return System.Convert.ToInt64(named.Value.Value, CultureInfo.InvariantCulture);
        return 0;
    }
}
