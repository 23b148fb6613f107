using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>How generated code names a buffer's span and its gradient's span.</summary>
internal static class BufferNames
{
    public static string Span(BufferPlan buffer) => char.ToLowerInvariant(buffer.Name[0]) + buffer.Name.Substring(1);

    public static string Delta(BufferPlan buffer) => "d" + buffer.Name;

    public static string OffsetConstant(BufferPlan buffer) => buffer.Name + "Offset";
}
