using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>How generated code names a buffer's span and its gradient's span.</summary>
internal static class BufferNames
{
    public static string Span(BufferPlan buffer) => char.ToLowerInvariant(buffer.Name[0]) + buffer.Name.Substring(1);

    // A suffix, not a prefix: a layer named "dFc" must not give "dFcOutput" twice.
    public static string Delta(BufferPlan buffer) => Span(buffer) + "Grad";

    public static string OffsetConstant(BufferPlan buffer) => buffer.Name + "Offset";
}
