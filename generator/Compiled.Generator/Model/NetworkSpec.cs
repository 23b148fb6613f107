namespace Compiled.Generator.Model;

// Caching contract: everything here is a string, a primitive, an enum or an EquatableArray of records
// of those. No ISymbol, SyntaxNode, Location or Compilation survives the parse step, so two parses
// of equivalent source compare equal and the emit step is skipped.

/// <summary>One layer as declared: the attribute's arguments, defaults filled in.</summary>
/// <param name="Units">Dense: outputs. Other kinds: 0.</param>
/// <param name="Alpha">Leaky ReLU slope or ELU α (0 when the activation takes none).</param>
/// <param name="Rate">Dropout rate (0 for other kinds).</param>
internal sealed record LayerSpec(
    LayerKind Kind,
    string Name,
    int Units,
    ActivationKind Activation,
    double Alpha,
    double Rate,
    InitializerKind Initializer);

/// <summary>A whole network declaration.</summary>
/// <param name="Namespace">The class's namespace, or empty for the global namespace.</param>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    LossKind Loss,
    long Seed,
    InitializerKind Initializer,
    EquatableArray<int> InputShape,
    EquatableArray<LayerSpec> Layers);
