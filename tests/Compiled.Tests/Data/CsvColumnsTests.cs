using System;
using System.IO;
using System.Text;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Tables with target columns anywhere (by name or by position), and features and targets in two files.</summary>
public sealed class CsvColumnsTests
{
    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Targets_chosen_by_name_and_the_rest_as_features_in_file_order()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("houses.csv", Text("rooms;price;area;age\n3;250;80.5;10\n5;410;120;2\n"), gzip: true);
        var data = Csv.Load(path, new[] { "price", " age " }, separator: ';');
        Assert.Equal((2, 2, 2), (data.Count, data.FeatureCount, data.TargetCount));
        Assert.Equal(new float[] { 3, 80.5f, 5, 120 }, data.Features);
        Assert.Equal(new float[] { 250, 10, 410, 2 }, data.Targets);
    }

    [Fact]
    public void Missing_features_may_be_NaN_but_targets_may_not()
    {
        using var dir = new TempDirectory();
        string ok = dir.Write("ok.csv", Text("a,b,y\nNaN,1,0\n2,3,1\n"));
        Assert.True(float.IsNaN(Csv.Load(ok, new[] { "y" }, allowNaN: true).Features[0]));
        string bad = dir.Write("bad.csv", Text("a,b,y\n1,1,NaN\n"));
        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(bad, new[] { "y" }, allowNaN: true));
        Assert.Contains("target 'y'", e.Message);
    }

    [Fact]
    public void Unknown_or_repeated_names_and_mismatched_rows_are_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("t.csv", Text("a,b,y\n1,2,3\n"));
        Assert.Contains("no column named 'z'", Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { "z" })).Message);
        Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { "y", "y" }));
        Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { "a", "b", "y" }));
        string ragged = dir.Write("r.csv", Text("a,b,y\n1,2\n"));
        Assert.Throws<InvalidDataException>(() => Csv.Load(ragged, new[] { "y" }));
    }

    [Fact]
    public void Targets_chosen_by_position_with_or_without_a_header()
    {
        using var dir = new TempDirectory();
        // The UCI wine layout: the class first, then the measurements.
        string plain = dir.Write("wine.csv", Text("1,14.2,1.71\n2,12.4,0.94\n3,13.1,3.1\n"));
        var data = Csv.Load(plain, new[] { 0 }, hasHeader: false);
        Assert.Equal((3, 2, 1), (data.Count, data.FeatureCount, data.TargetCount));
        Assert.Equal(new float[] { 14.2f, 1.71f, 12.4f, 0.94f, 13.1f, 3.1f }, data.Features);
        Assert.Equal(new float[] { 1, 2, 3 }, data.Targets);

        // Two targets, in the order given, from the middle and the end; a header is skipped.
        string named = dir.Write("t.csv", Text("a,b,c,d\n1,2,3,4\n5,6,7,8\n"));
        var two = Csv.Load(named, new[] { 3, 1 });
        Assert.Equal(new float[] { 1, 3, 5, 7 }, two.Features);
        Assert.Equal(new float[] { 4, 2, 8, 6 }, two.Targets);
    }

    [Fact]
    public void Positions_outside_the_table_or_repeated_are_refused_and_NaN_targets_named_by_position()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("t.csv", Text("1,2,3\n4,5,6\n"));
        Assert.Contains("target column 3 does not exist; the table has columns 0 to 2",
            Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { 3 }, hasHeader: false)).Message);
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { -1 }, hasHeader: false)).Message);
        Assert.Contains("Column 1 is given twice", Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { 1, 1 }, hasHeader: false)).Message);
        Assert.Contains("no features are left", Assert.Throws<ArgumentException>(() => Csv.Load(path, new[] { 0, 1, 2 }, hasHeader: false)).Message);
        Assert.Throws<ArgumentException>(() => Csv.Load(path, Array.Empty<int>(), hasHeader: false));
        string nan = dir.Write("n.csv", Text("1,NaN\n"));
        Assert.Contains("target column 1 is NaN", Assert.Throws<InvalidDataException>(() => Csv.Load(nan, new[] { 1 }, hasHeader: false, allowNaN: true)).Message);
    }

    [Fact]
    public void Features_and_targets_from_two_files_row_for_row()
    {
        using var dir = new TempDirectory();
        string x = dir.Write("x.csv.gz", Text("1,2,3\n4,5,6\n"), gzip: true);
        string y = dir.Write("y.csv", Text("0.5\n-1\n"));
        var data = Csv.Load(x, y);
        Assert.Equal((2, 3, 1), (data.Count, data.FeatureCount, data.TargetCount));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, data.Features);
        Assert.Equal(new float[] { 0.5f, -1 }, data.Targets);
        string short_ = dir.Write("y1.csv", Text("0.5\n"));
        Assert.Contains("must match row for row", Assert.Throws<InvalidDataException>(() => Csv.Load(x, short_)).Message);
    }
}
