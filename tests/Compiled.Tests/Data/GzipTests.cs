using System;
using System.IO;
using System.Linq;
using System.Text;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Gzip content is checked against its trailer (reliability issue, item 8): GZipStream itself ends a cut
/// file early without an error, so a cut .csv.gz used to load with fewer rows.
/// </summary>
public class GzipTests
{
    /// <summary>A header-less CSV like digits.csv.gz: 120 rows of 4 features and a label.</summary>
    private static byte[] HeaderlessCsv()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 120; i++)
            text.Append($"{i % 7},{i * 13 % 17},{i % 5}.5,{i * 31 % 101},{i % 3}\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [Fact]
    public void HeaderlessCsvGz_CutAtAnyPoint_IsRejectedNamingTheFile()
    {
        byte[] compressed = TempDirectory.Gzip(HeaderlessCsv());
        using var dir = new TempDirectory();
        string whole = dir.Write("whole.csv.gz", compressed);
        Assert.Equal(120, Csv.LoadUciClassification(whole).Count); // the uncut file loads

        for (int cut = 0; cut < compressed.Length; cut++)
        {
            string path = dir.Write("cut.csv.gz", compressed[..cut]);
            var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
            Assert.StartsWith(path, e.Message);
        }
    }

    [Fact]
    public void IdxGz_CutAtAnyPoint_IsRejectedNamingTheFile()
    {
        byte[] compressed = TempDirectory.Gzip(IdxTests.Labels(Enumerable.Range(0, 200).Select(i => (byte)(i * 7)).ToArray()));
        using var dir = new TempDirectory();
        for (int cut = 0; cut < compressed.Length; cut++)
        {
            string path = dir.Write("labels.gz", compressed[..cut]);
            var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
            Assert.StartsWith(path, e.Message);
        }
    }

    [Fact]
    public void CorruptTrailer_IsRejected()
    {
        byte[] compressed = TempDirectory.Gzip(HeaderlessCsv());
        compressed[^6] ^= 0x01; // a bit of the CRC-32
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv.gz", compressed);

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("corrupt gzip data", e.Message);
    }

    [Fact]
    public void WrongLengthInTrailer_IsRejected()
    {
        byte[] compressed = TempDirectory.Gzip(HeaderlessCsv());
        compressed[^4] ^= 0x01; // ISIZE, the length mod 2^32; zlib checks it too, our trailer check does if it does not
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv.gz", compressed);

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void TrailingGarbage_IsRejected()
    {
        byte[] compressed = [.. TempDirectory.Gzip(HeaderlessCsv()), 1, 2, 3];
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv.gz", compressed);

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("gzip data", e.Message); // GZipStream may take the bytes for a bad second member, or we see the trailer differ
    }

    [Fact]
    public void MultiMemberGzip_IsRejectedAsDocumented()
    {
        byte[] csv = HeaderlessCsv();
        byte[] twoMembers = [.. TempDirectory.Gzip(csv[..60]), .. TempDirectory.Gzip(csv[60..])];
        using var dir = new TempDirectory();
        string path = dir.Write("two.csv.gz", twoMembers);

        var e = Assert.Throws<InvalidDataException>(() => Csv.LoadUciClassification(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("multi-member", e.Message);
    }

    [Fact]
    public void CorruptDeflateBody_NamesTheFileForCsvToo()
    {
        byte[] corrupt = TempDirectory.Gzip(HeaderlessCsv());
        for (int i = 10; i < corrupt.Length; i++) corrupt[i] = 0xFF; // keep the gzip header, ruin the deflate data
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv.gz", corrupt);

        var e = Assert.Throws<InvalidDataException>(() => Csv.Load(path, hasHeader: false));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void TruncatedGzipStream_IsRejectedByTheStreamOverload()
    {
        byte[] compressed = TempDirectory.Gzip(IdxTests.Labels(1, 2, 3));
        using var stream = new MemoryStream(compressed[..^3]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(stream));
        Assert.StartsWith("IDX stream", e.Message);
    }
}
