using System;
using System.IO;
using System.Text;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Tables with named target columns anywhere, and features and targets in two files.</summary>
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
