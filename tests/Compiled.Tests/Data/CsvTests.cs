using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

public class CsvTests
{
    // The test project copies samples/data/uci/* to data/uci/ in the output directory.
    private static string Uci(string name) => Path.Combine(AppContext.BaseDirectory, "data", "uci", name);

    private static int[] CountPerClass(Dataset data) =>
        data.Labels().GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();

    [Fact]
    public void Digits_Loads1797RowsOf64Features()
    {
        Dataset digits = Csv.LoadUciClassification(Uci("digits.csv.gz"), out string[] classNames);

        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.FeatureCount);
        Assert.Equal(10, digits.ClassCount());
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], classNames); // the file has no header
        Assert.Equal(
            [0f, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0],
            digits.FeatureRow(0)[..16].ToArray());
        Assert.Equal(0, digits.Labels()[0]);
        Assert.Equal(8, digits.Labels()[^1]);
        Assert.Equal([178, 182, 177, 183, 181, 182, 181, 179, 174, 180], CountPerClass(digits));
    }

    [Fact]
    public void BreastCancer_Loads569RowsOf30Features()
    {
        Dataset data = Csv.LoadUciClassification(Uci("breast_cancer.csv"), out string[] classNames);

        Assert.Equal(569, data.Count);
        Assert.Equal(30, data.FeatureCount);
        Assert.Equal(["malignant", "benign"], classNames);
        Assert.Equal([17.99f, 10.38f, 122.8f, 1001f, 0.1184f], data.FeatureRow(0)[..5].ToArray());
        Assert.Equal(0.1189f, data.FeatureRow(0)[29]);
        Assert.Equal([212, 357], CountPerClass(data));
    }

    [Fact]
    public void Iris_Loads150RowsOf4Features()
    {
        Dataset iris = Csv.LoadUciClassification(Uci("iris.csv"), out string[] classNames);

        Assert.Equal(150, iris.Count);
        Assert.Equal(4, iris.FeatureCount);
        Assert.Equal(["setosa", "versicolor", "virginica"], classNames);
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], iris.FeatureRow(0).ToArray());
        Assert.Equal([5.9f, 3.0f, 5.1f, 1.8f], iris.FeatureRow(149).ToArray());
        Assert.Equal([50, 50, 50], CountPerClass(iris));
    }

    [Fact]
    public void Iris_StratifiedSplitKeepsTheClassesBalanced()
    {
        Dataset iris = Csv.LoadUciClassification(Uci("iris.csv"));

        (Dataset train, Dataset test) = iris.SplitStratified(0.2, seed: 1);

        Assert.Equal([10, 10, 10], CountPerClass(test));
        Assert.Equal([40, 40, 40], CountPerClass(train));
    }

    [Fact]
    public void Uci_GzipIsDetectedFromContent()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("tiny.csv", Encoding.UTF8.GetBytes("2,2,no,yes\n1,2,0\n3,4,1\n"), gzip: true);

        Dataset data = Csv.LoadUciClassification(path);

        Assert.Equal([1f, 2, 3, 4], data.Features);
        Assert.Equal([0, 1], data.Labels());
    }

    [Theory]
    [InlineData("3,2,a,b\n1,2,0\n3,4,1\n", "header announces 3 rows, but the file has 2")]
    [InlineData("2,2,a,b\n1,2,0\n3,x,1\n", ":3: field 2 'x' is not a number")]
    [InlineData("2,2,a,b\n1,2,0\n\n3,4,2\n", ":4: the label '2' (last field) is not a class index in [0, 2)")]
    [InlineData("2,2,a,b\n1,2,0\n3,4,5,1\n", ":3: the row has 4 fields, expected 3")]
    [InlineData("2,2,a,b\n1,2,0.5\n", ":2: the label '0.5'")]
    [InlineData("two,2,a,b\n1,2,0\n", ":1: the header 'two,2,a,b' is not count,featureCount,className")]
    [InlineData("1,2,-1\n", ":1: the label '-1' (last field) is not a non-negative integer below 65536")]
    [InlineData("", "the file is empty")]
    public void Uci_ErrorsNameTheFileAndLine(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", Encoding.UTF8.GetBytes(content));

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_SplitsTrailingTargetColumns()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("regression.csv", Encoding.UTF8.GetBytes(
            "x1;x2;x3;y1;y2\r\n1;2;3;4;5\r\n\r\n -1.5 ; 2e-3;0;.25;1E2\r\n"));

        Dataset data = Csv.Load(path, targetColumns: 2, separator: ';');

        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.FeatureCount);
        Assert.Equal(2, data.TargetCount);
        Assert.Equal([1f, 2, 3, -1.5f, 0.002f, 0], data.Features);
        Assert.Equal([4f, 5, 0.25f, 100], data.Targets);
    }

    [Fact]
    public void Load_UsesInvariantCultureWhateverTheCurrentOne()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("values.csv", Encoding.UTF8.GetBytes("1.5,2.25\n"));
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); // decimal comma
            Dataset data = Csv.Load(path, hasHeader: false);
            Assert.Equal([1.5f], data.Features);
            Assert.Equal([2.25f], data.Targets);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("a,b\n", "no data rows")]
    [InlineData("a,b\n1,2\n3\n", ":3: the row has 1 fields, expected 2")]
    [InlineData("a\n1\n", ":2: the row has 1 fields, so no features besides the 1 target columns")]
    public void Load_ErrorsNameTheFileAndLine(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", Encoding.UTF8.GetBytes(content));

        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
