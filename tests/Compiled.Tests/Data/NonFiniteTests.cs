using System;
using System.IO;
using System.Text;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Non-finite numbers in CSV data (reliability issue, item 9) are rejected with file, line and field, unless
/// the caller allows NaN features (missing values, for imputation). Infinities never load.
/// </summary>
public class NonFiniteTests
{
    private static string Write(TempDirectory dir, string content) => dir.Write("data.csv", Encoding.UTF8.GetBytes(content));

    [Theory]
    [InlineData("NaN", "is NaN")]
    [InlineData("nan", "is NaN")]
    [InlineData("Infinity", "is not a finite float")]
    [InlineData("-Infinity", "is not a finite float")]
    [InlineData("1e39", "is not a finite float")]
    [InlineData("-1e39", "is not a finite float")]
    [InlineData("∞", "is not a number")] // invariant culture does not parse the symbol
    public void Load_RejectsNonFiniteFeatures_NamingFileLineAndField(string value, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, $"a,b,y\n1,2,3\n4,{value},6\n");

        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(path));
        Assert.StartsWith($"{path}:3: field 2 '{value}' {expected}", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e39")]
    [InlineData("Infinity")]
    public void LoadUci_RejectsNonFiniteFeatures(string value)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, $"1,2,0\n{value},2,1\n");

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith($"{path}:2: field 1 '{value}'", e.Message);
    }

    [Fact]
    public void AllowNaN_LetsMissingFeaturesThrough()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b,y\n1,NaN,3\n");

        Dataset data = Csv.Load(path, allowNaN: true);

        Assert.Equal(1f, data.Features[0]);
        Assert.True(float.IsNaN(data.Features[1]));
        Assert.Equal([3f], data.Targets);
    }

    [Fact]
    public void AllowNaN_LetsMissingFeaturesThroughTheUciLoader()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "2,2,a,b\nNaN,2,0\n3,4,1\n");

        Dataset data = Csv.LoadUciClassification(path, out string[] names, allowNaN: true);

        Assert.True(float.IsNaN(data.Features[0]));
        Assert.Equal([0, 1], data.Labels());
        Assert.Equal(["a", "b"], names);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,NaN\n", ":2: field 3 'NaN' is NaN")] // a NaN target
    [InlineData("a,b,y\n1,1e39,3\n", ":2: field 2 '1e39' is not a finite float")] // infinities stay rejected
    [InlineData("a,b,y\n-Infinity,1,3\n", ":2: field 1 '-Infinity' is not a finite float")]
    public void AllowNaN_StillRejectsNaNTargetsAndInfinities(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, content);

        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(path, allowNaN: true));
        Assert.StartsWith(path + expected, e.Message);
    }

    [Fact]
    public void AllowNaN_StillRejectsANaNLabel()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "1,2,NaN\n");

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path, allowNaN: true));
        Assert.StartsWith(path + ":1: field 3 'NaN' is NaN", e.Message);
    }

    [Fact]
    public void LargestFiniteFloats_Load()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "3.4028235e38,-3.4028235e38,1e-50\n");

        Dataset data = Csv.Load(path, targetColumns: 1, hasHeader: false);

        Assert.Equal([float.MaxValue, float.MinValue], data.Features);
        Assert.Equal([0f], data.Targets); // underflow to zero is finite, so it loads
    }
}
