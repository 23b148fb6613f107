using System;
using System.IO;
using System.Text;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Sizes and labels read from CSV files are checked before they size anything (reliability issue, item 7).
/// </summary>
public class CsvLimitsTests
{
    private static string Write(TempDirectory dir, string content, bool gzip = false) =>
        dir.Write("data.csv", Encoding.ASCII.GetBytes(content), gzip);

    [Theory]
    [InlineData("1,2000000000,a,b\n1,2,0\n", ":2: the row has 3 fields, but the header announces 2000000000 features and a label")]
    [InlineData("1,2147483647,a,b\n1,2,0\n", ":2: the row has 3 fields, but the header announces 2147483647 features and a label")]
    [InlineData("1,1,a,b\n1,2,0\n", ":2: the row has 3 fields, but the header announces 1 features and a label")]
    public void HeaderFeatureCount_IsCheckedAgainstTheFirstRow(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, content);

        var e = Measured.Rejects(() => Csv.LoadUciClassification(path), expected, Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData("1,2,2000000000\n", ":1: the label '2000000000' (last field) is not a non-negative integer below 65536")]
    [InlineData("1,2,0\n3,4,65536\n", ":2: the label '65536' (last field)")]
    [InlineData("1,2,0\n3,4,2e9\n", ":2: the label '2e9' (last field)")]
    public void HugeLabel_WithoutHeader_IsRejectedWithoutAllocatingClassTables(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, content, gzip: true);

        var e = Measured.Rejects(() => Csv.LoadUciClassification(path), expected, Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void LargestAllowedLabel_Loads()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "1,2,65535\n");

        Dataset data = Csv.LoadUciClassification(path, out string[] names);

        Assert.Equal(Dataset.MaxClassCount, data.ClassCount());
        Assert.Equal("65535", names[^1]);
    }

    [Fact]
    public void HeaderWithTooManyClassNames_IsRejected()
    {
        var header = new StringBuilder("0,2");
        for (int c = 0; c <= Dataset.MaxClassCount; c++) header.Append(",c");
        using var dir = new TempDirectory();
        string path = Write(dir, header + "\n");

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path + ":1: the header names 65537 classes", e.Message);
    }

    [Fact]
    public void SplitStratified_RejectsALabelOfTwoBillion_NamingTheRow()
    {
        var data = new Dataset([1f, 2f, 3f], 1, [0f, 2e9f, 1f], 1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidOperationException>(() => data.SplitStratified(0.5, seed: 1));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("Target of row 1 is 2E+09", e.Message);
        Assert.Contains("[0, 65536)", e.Message);
        Assert.True(allocated < Measured.FixedBytes, $"allocated {allocated}");
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(2_000_000_000)]
    [InlineData(int.MaxValue)]
    public void FromLabels_RejectsLabelsBeyondMaxClassCount(int label)
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f], 1, [0, label]));
        Assert.Contains($"labels[1] is {label}", e.Message);
    }

    [Fact]
    public void ClassCount_RejectsAHugeTarget()
    {
        var data = new Dataset([1f], 1, [70000f], 1);
        Assert.Throws<InvalidOperationException>(() => data.ClassCount());
    }

    [Fact]
    public void Subset_RejectsASizeThatWouldWrap()
    {
        // 2^16 rows of 2^16 features: 2^32 floats, which wraps to 0 in 32 bits. Array of that many features faked
        // with one row only, repeated through the indices (no big allocation needed to reach the check).
        var data = new Dataset(new float[65536], 65536, [0f], 1);
        int[] indices = new int[65536];

        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset(indices));
    }
}
