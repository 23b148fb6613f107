using System;
using System.IO;

namespace Compiled.Tests;

/// <summary>The UCI data sets copied next to the test binary (from samples/data/uci).</summary>
internal static class TestData
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "data", "uci", file);

    public static Dataset Load(string file) => Csv.LoadUciClassification(Path(file));
}
