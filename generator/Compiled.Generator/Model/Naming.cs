using System.Text;

namespace Compiled.Generator.Model;

internal static class Naming
{
    /// <summary>"dense1" → "Dense1", "fc_out" → "FcOut": the prefix of a layer's generated members.</summary>
    public static string Pascal(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            if (c == '_') { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sb.ToString();
    }
}
