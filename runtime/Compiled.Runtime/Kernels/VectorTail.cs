using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The last, partial vector of an element-wise loop, for generated code: the values [i, n) (fewer than eight) copied
/// into a zero-padded <see cref="Vector256{T}"/> and back, so that they go through the same vector code as the rest.
/// A value's bits then depend on the value alone, not on whether it falls in a loop's tail, which moves with the
/// batch size: a sample's outputs do not depend on which other samples share its batch.
/// </summary>
/// <remarks>Unchecked: the caller guarantees 0 ≤ n − i ≤ 8 and that [i, n) lies inside the buffer.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorTail
{
    /// <summary>Values [<paramref name="i"/>, <paramref name="n"/>) from <paramref name="source"/>, zeros after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, int i, int n)
    {
        Vector256<float> v = default;
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<Vector256<float>, byte>(ref v), ref Unsafe.As<float, byte>(ref Unsafe.Add(ref source, i)),
            (uint)(n - i) * sizeof(float));
        return v;
    }

    /// <summary>Stores the first n − i lanes of <paramref name="v"/> at [<paramref name="i"/>, <paramref name="n"/>) of <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, ref float target, int i, int n) =>
        Unsafe.CopyBlockUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref target, i)), ref Unsafe.As<Vector256<float>, byte>(ref v),
            (uint)(n - i) * sizeof(float));
}
