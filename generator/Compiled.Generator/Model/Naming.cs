using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Generator.Model;

internal static class Naming
{
    /// <summary>"Dense1" → "dense1", "FC" → "fC": the prefix of a layer's local variables (distinct when the Pascal names are).</summary>
    public static string Camel(string pascal) => pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);

    /// <summary>A name as a C# identifier: keywords get an @.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

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
