using System;
using System.Globalization;
using System.Text;

namespace Compiled.Generator.Emit;

/// <summary>An indented text writer whose blocks balance their braces: <c>using (w.Block("if (x)")) { … }</c>.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public IDisposable Block(string header)
    {
        if (header.Length > 0) Line(header);
        Line("{");
        _indent++;
        return new Closer(this);
    }

    public override string ToString() => _text.ToString();

    /// <summary>A float literal that round-trips and ignores the current culture (U+2212 minus, comma decimals).</summary>
    public static string Float(double value)
    {
        float f = (float)value;
        string text = f.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0) text += ".0";
        return text + "f";
    }

    private sealed class Closer : IDisposable
    {
        private readonly CodeWriter _writer;

        public Closer(CodeWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
