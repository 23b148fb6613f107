using Compiled.Generator.Emit;
using Compiled.Generator.Model;

namespace Compiled.Generator.Layers;

/// <summary>
/// The code of each activation: its math for comments, and the calls into
/// <c>Compiled.Kernels.ActivationMath</c> that emitted loops make (vector and scalar forms alike).
/// </summary>
internal static class ActivationCode
{
    private const string Math = "global::Compiled.Kernels.ActivationMath";

    public static string Formula(ActivationKind kind, double alpha) => kind switch
    {
        ActivationKind.Identity => "y = z",
        ActivationKind.Sigmoid => "y = 1 / (1 + e^−z)",
        ActivationKind.Tanh => "y = tanh z",
        ActivationKind.ReLU => "y = max(0, z)",
        ActivationKind.LeakyReLU => $"y = z > 0 ? z : {CodeWriter.Float(alpha).TrimEnd('f')}·z",
        ActivationKind.ELU => $"y = z > 0 ? z : {CodeWriter.Float(alpha).TrimEnd('f')}·(e^z − 1)",
        ActivationKind.Softplus => "y = ln(1 + e^z)",
        ActivationKind.Swish => "y = z·sigmoid(z)",
        ActivationKind.Softmax => "y = softmax(z) per sample",
        _ => kind.ToString(),
    };

    /// <summary>The activation as it appears in the architecture signature: "ReLU", "LeakyReLU(0.2)".</summary>
    public static string Signature(ActivationKind kind, double alpha) =>
        kind is ActivationKind.LeakyReLU or ActivationKind.ELU ? $"{kind}({CodeWriter.Float(alpha).TrimEnd('f')})" : kind.ToString();

    public static string DerivativeFormula(ActivationKind kind) => kind switch
    {
        ActivationKind.Sigmoid => "dz = dy·y·(1 − y)",
        ActivationKind.Tanh => "dz = dy·(1 − y²)",
        ActivationKind.ReLU => "dz = dy·[z > 0]",
        ActivationKind.LeakyReLU => "dz = dy·(z > 0 ? 1 : α)",
        ActivationKind.ELU => "dz = dy·(z > 0 ? 1 : y + α)",
        ActivationKind.Softplus => "dz = dy·sigmoid(z)",
        ActivationKind.Swish => "dz = dy·(s + z·s·(1 − s)), s = sigmoid(z)",
        ActivationKind.Softmax => "dz_i = y_i·(dy_i − Σ_j dy_j·y_j)",
        _ => "dz = dy",
    };

    /// <summary>True when the derivative needs z itself, not only y (then z is kept beside y).</summary>
    public static bool NeedsPreActivation(ActivationKind kind) => kind is ActivationKind.Softplus or ActivationKind.Swish;

    /// <summary>True for functions applied element by element (all but softmax).</summary>
    public static bool IsElementwise(ActivationKind kind) => kind != ActivationKind.Softmax;

    /// <summary>f(v) as an expression; <paramref name="v"/> is a float or Vector256 expression.</summary>
    public static string Forward(ActivationKind kind, double alpha, string v) => kind switch
    {
        ActivationKind.Identity => v,
        ActivationKind.LeakyReLU or ActivationKind.ELU => $"{Math}.{kind}({v}, {CodeWriter.Float(alpha)})",
        _ => $"{Math}.{kind}({v})",
    };

    /// <summary>
    /// dz as an expression of z, y and dy. For ReLU, leaky ReLU and ELU, y has the sign of z, so
    /// <paramref name="z"/> may be the output y when z was not kept.
    /// </summary>
    public static string Backward(ActivationKind kind, double alpha, string z, string y, string dy) => kind switch
    {
        ActivationKind.Identity => dy,
        ActivationKind.Sigmoid or ActivationKind.Tanh => $"{Math}.{kind}Backward({y}, {dy})",
        ActivationKind.ReLU or ActivationKind.Softplus or ActivationKind.Swish => $"{Math}.{kind}Backward({z}, {dy})",
        ActivationKind.LeakyReLU => $"{Math}.LeakyReLUBackward({z}, {dy}, {CodeWriter.Float(alpha)})",
        ActivationKind.ELU => $"{Math}.ELUBackward({z}, {y}, {dy}, {CodeWriter.Float(alpha)})",
        _ => dy,
    };

    /// <summary>
    /// Emits a loop over <paramref name="count"/> floats: Vector256 body and a zero-padded last vector (see
    /// <c>Compiled.Kernels.VectorTail</c>), or a scalar loop where Vector256 is not accelerated. Each operand is
    /// a (name, span) pair: the loop binds <c>ref float nameRef</c> to the span; <paramref name="statement"/>
    /// is built from a function mapping an operand name to its element expression.
    /// </summary>
    public static void EmitLoop(CodeWriter w, string count, (string Name, string Span)[] operands, string target, System.Func<System.Func<string, string>, string> value)
    {
        // Bind only the operands the expression reads (and the target): no unused locals in emitted code.
        string probe = value(name => "\u0001" + name + "\u0002");
        var used = new System.Collections.Generic.HashSet<string> { target };
        foreach (var (name, _) in operands)
            if (probe.Contains("\u0001" + name + "\u0002")) used.Add(name);
        using (w.Block(""))
        {
            foreach (var (name, span) in operands)
                if (used.Contains(name))
                    w.Line($"ref float {name}Ref = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({span});");
            w.Line($"int n = {count}, i = 0;");
            using (w.Block("if (global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)"))
            {
                using (w.Block("for (; i <= n - 8; i += 8)"))
                {
                    string v = value(name => $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {name}Ref, (uint)i)");
                    w.Line($"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe({v}, ref {target}Ref, (uint)i);");
                }
                // The last values through the same vector code: a value's bits must not depend on its place in the buffer.
                string tail = value(name => $"global::Compiled.Kernels.VectorTail.Load(ref {name}Ref, i, n)");
                w.Line($"if (i < n) global::Compiled.Kernels.VectorTail.Store({tail}, ref {target}Ref, i, n);");
            }
            using (w.Block("else"))
            using (w.Block("for (; i < n; i++)"))
            {
                string s = value(name => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {name}Ref, i)");
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref {target}Ref, i) = {s};");
            }
        }
    }
}
