using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Property-based and fuzz tests of the CSV loaders (reliability issue, item 13): generated tables
/// round-trip exactly; damaged files either load a dataset that keeps the loaders' promises (whole rows,
/// finite features, labels in range) or are rejected with an <see cref="InvalidDataException"/> naming the
/// file; a damaged gzip file never loads anything but the original; memory stays proportional to the
/// content. Short by default; see <see cref="Fuzz.Iter"/>.
/// </summary>
public class CsvFuzzTests
{
    /// <summary>
    /// Bytes a CSV load may allocate per byte of (decompressed) content, beyond <see cref="Measured.FixedBytes"/>:
    /// a row of one-character numbers costs a line string (2 bytes per character plus an object header), its
    /// floats in growing lists, then the final arrays, so short rows approach this.
    /// </summary>
    internal const int CsvBytesPerByte = 32;

    /// <summary>
    /// Without a header, the class names are the labels "0" to "max": a one-line file with the label 65535
    /// costs 65 536 small strings (about 2 MB). That is bounded by <see cref="Dataset.MaxClassCount"/>, not by
    /// the file, so it is a fixed allowance (found by this fuzz test: 1.6 MB for a 38-byte file).
    /// </summary>
    private const long ClassNameBytes = Dataset.MaxClassCount * 40L;

    /// <summary>Finite floats, all of whose shortest "R" forms parse back to the same value.</summary>
    private static readonly Gen<float> Value = Gen.Float.Where(float.IsFinite);

    /// <summary>A numeric table: rows × (features + targets) values.</summary>
    private static readonly Gen<(int Rows, int Features, int Targets, float[] Values)> Table =
        Gen.SelectMany(Gen.Int[1, 8], Gen.Int[1, 5], Gen.Int[1, 2],
            (rows, features, targets) => Value.Array[rows * (features + targets)].Select(v => (rows, features, targets, v)));

    /// <summary>A classification table: rows of features and a label below the class count.</summary>
    private static readonly Gen<(int Classes, int Features, float[] Values, int[] Labels)> Classification =
        Gen.SelectMany(Gen.Int[1, 8], Gen.Int[1, 5], Gen.Int[1, 4],
            (rows, features, classes) => Gen.Select(Value.Array[rows * features], Gen.Int[0, classes - 1].Array[rows])
                .Select(t => (classes, features, t.Item1, t.Item2)));

    private static readonly string[] Tokens = ["NaN", "Infinity", "-Infinity", "1e39", "-1e39", "2000000000", "2147483647", ",", "\n", "x", "", "-0", "1e-50"];

    /// <summary>Damage specific to text: a token spliced in at a position.</summary>
    private static readonly Gen<(string Token, int Position)> Splice =
        Gen.Select(Gen.Int[0, Tokens.Length - 1].Select(i => Tokens[i]), Gen.Int[0, int.MaxValue]);

    private static string R(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string LoadText(int features, int targets, float[] values, char separator, bool header)
    {
        int columns = features + targets;
        var text = new StringBuilder();
        if (header) text.AppendJoin(separator, Enumerable.Range(0, columns).Select(c => $"h{c}")).Append('\n');
        for (int i = 0; i < values.Length; i += columns)
            text.AppendJoin(separator, values.Skip(i).Take(columns).Select(R)).Append('\n');
        return text.ToString();
    }

    private static string UciText(int classes, int features, float[] values, int[] labels, bool header)
    {
        var text = new StringBuilder();
        if (header) text.Append($"{labels.Length},{features},").AppendJoin(',', Enumerable.Range(0, classes).Select(c => $"c{c}")).Append('\n');
        for (int i = 0; i < labels.Length; i++)
            text.AppendJoin(',', values.Skip(i * features).Take(features).Select(R)).Append(',').Append(labels[i]).Append('\n');
        return text.ToString();
    }

    [Fact]
    public void Load_RoundTrips()
    {
        using var dir = new TempDirectory();
        Gen.Select(Table, Gen.Int[0, 2].Select(i => ",;\t"[i]), Gen.Bool, Gen.Bool).Sample((table, separator, header, gzip) =>
        {
            string path = dir.Write(Guid.NewGuid().ToString("N"),
                Encoding.UTF8.GetBytes(LoadText(table.Features, table.Targets, table.Values, separator, header)), gzip);

            Dataset data = Csv.Load(path, table.Targets, header, separator);

            int columns = table.Features + table.Targets;
            Assert.Equal((table.Rows, table.Features, table.Targets), (data.Count, data.FeatureCount, data.TargetCount));
            for (int r = 0; r < table.Rows; r++)
            {
                Assert.Equal(table.Values.AsSpan(r * columns, table.Features).ToArray(), data.FeatureRow(r).ToArray());
                Assert.Equal(table.Values.AsSpan(r * columns + table.Features, table.Targets).ToArray(), data.TargetRow(r).ToArray());
            }
        }, iter: Fuzz.Iter(200), threads: 1);
    }

    [Fact]
    public void LoadUciClassification_RoundTrips()
    {
        using var dir = new TempDirectory();
        Gen.Select(Classification, Gen.Bool, Gen.Bool).Sample((table, header, gzip) =>
        {
            string path = dir.Write(Guid.NewGuid().ToString("N"),
                Encoding.UTF8.GetBytes(UciText(table.Classes, table.Features, table.Values, table.Labels, header)), gzip);

            Dataset data = Csv.LoadUciClassification(path, out string[] names);

            Assert.Equal(table.Features, data.FeatureCount);
            Assert.Equal(table.Values, data.Features);
            Assert.Equal(table.Labels, data.Labels());
            int classes = header ? table.Classes : table.Labels.Max() + 1;
            Assert.Equal(Enumerable.Range(0, classes).Select(c => header ? $"c{c}" : $"{c}"), names);
        }, iter: Fuzz.Iter(200), threads: 1);
    }

    [Fact]
    public void DamagedFiles_LoadAConsistentDatasetOrAreRejected()
    {
        using var dir = new TempDirectory();
        Gen.Select(Classification, Gen.Bool, Gen.Select(Mutation.Gen, Splice, Gen.Bool), Gen.Bool).Sample((table, header, damage, gzip) =>
        {
            string text = UciText(table.Classes, table.Features, table.Values, table.Labels, header);
            (Mutation mutation, (string token, int position), bool splice) = damage;
            byte[] damaged = splice
                ? Encoding.UTF8.GetBytes(text.Insert(position % (text.Length + 1), token))
                : mutation.Apply(Encoding.UTF8.GetBytes(text));
            string path = dir.Write(Guid.NewGuid().ToString("N"), damaged, gzip);

            var (loaded, error, allocated) = Measured.Run(() => (Csv.LoadUciClassification(path, out string[] names), names));

            if (error is not null)
            {
                Assert.StartsWith(path, Assert.IsType<InvalidDataException>(error).Message);
            }
            else
            {
                (Dataset data, string[] names) = loaded;
                Assert.Equal(data.Count * data.FeatureCount, data.Features.Length);
                Assert.All(data.Features, f => Assert.True(float.IsFinite(f)));
                Assert.All(data.Labels(), l => Assert.InRange(l, 0, names.Length - 1));
                Assert.True(names.Length <= Dataset.MaxClassCount);
            }
            Assert.True(allocated <= (long)CsvBytesPerByte * damaged.Length + Measured.FixedBytes + ClassNameBytes,
                $"allocated {allocated} bytes for {damaged.Length} bytes of content");
        }, iter: Fuzz.Iter(600), threads: 1);
    }

    [Fact]
    public void DamagedGzip_LoadsTheOriginalOrIsRejected()
    {
        using var dir = new TempDirectory();
        Gen.Select(Classification, Mutation.Gen).Sample((table, mutation) =>
        {
            byte[] compressed = TempDirectory.Gzip(Encoding.UTF8.GetBytes(UciText(table.Classes, table.Features, table.Values, table.Labels, header: false)));
            byte[] damaged = mutation.Apply(compressed);
            string path = dir.Write(Guid.NewGuid().ToString("N"), damaged);

            var (data, error, _) = Measured.Run(() => Csv.LoadUciClassification(path));

            if (error is null)
            {
                Assert.Equal(table.Values, data!.Features);
                Assert.Equal(table.Labels, data.Labels());
            }
            else
            {
                Assert.StartsWith(path, Assert.IsType<InvalidDataException>(error).Message);
            }
            if (damaged.Length != compressed.Length) Assert.NotNull(error); // cut or lengthened: never accepted
        }, iter: Fuzz.Iter(400), threads: 1);
    }

    /// <summary>Real files, with realistic rows, stay well within the bound the fuzzed tiny rows need.</summary>
    [Theory]
    [InlineData("breast_cancer.csv")]
    [InlineData("iris.csv")]
    [InlineData("digits.csv.gz")]
    public void SampleFiles_LoadWithinTheAllocationBound(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "uci", name);
        long content;
        using (Stream s = name.EndsWith(".gz") ? new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress) : File.OpenRead(path))
        {
            var sink = new MemoryStream();
            s.CopyTo(sink);
            content = sink.Length;
        }

        var (data, error, allocated) = Measured.Run(() => Csv.LoadUciClassification(path));

        Assert.Null(error);
        // Measured: 5.4 bytes per byte for breast_cancer.csv, 8.3 for digits (short numbers), iris is under the fixed cost.
        Assert.True(allocated <= 12 * content + Measured.FixedBytes, $"allocated {allocated} bytes for {content} bytes of content");
    }
}
