using System.IO;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Fashion-MNIST loading, on small synthetic files in the real files' layout.</summary>
public class FashionMnistTests
{
    private static void WriteSet(TempDirectory dir, bool gzip)
    {
        string suffix = gzip ? ".gz" : "";
        dir.Write("train-images-idx3-ubyte" + suffix, IdxTests.Images(3, 2, 2, i => (byte)i), gzip);
        dir.Write("train-labels-idx1-ubyte" + suffix, IdxTests.Labels(9, 0, 4), gzip);
        dir.Write("t10k-images-idx3-ubyte" + suffix, IdxTests.Images(2, 2, 2, i => 255), gzip);
        dir.Write("t10k-labels-idx1-ubyte" + suffix, IdxTests.Labels(1, 2), gzip);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_ReadsBothSets(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteSet(dir, gzip);

        Assert.True(FashionMnist.IsAvailable(dir.Path));
        (Dataset train, Dataset test) = FashionMnist.Load(dir.Path);

        Assert.Equal(3, train.Count);
        Assert.Equal(4, train.FeatureCount);
        Assert.Equal([9, 0, 4], train.Labels());
        Assert.Equal([4 / 255f, 5 / 255f, 6 / 255f, 7 / 255f], train.FeatureRow(1).ToArray());
        Assert.Equal(2, test.Count);
        Assert.Equal([1, 2], test.Labels());
        Assert.All(test.Features, p => Assert.Equal(1f, p));
    }

    [Fact]
    public void MissingFile_SaysWhichAndHowToInstall()
    {
        using var dir = new TempDirectory();
        WriteSet(dir, gzip: true);
        File.Delete(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte.gz"));

        Assert.False(FashionMnist.IsAvailable(dir.Path));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("install it with: sudo apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void DifferentImageAndLabelCounts_AreRejected()
    {
        using var dir = new TempDirectory();
        WriteSet(dir, gzip: false);
        dir.Write("t10k-labels-idx1-ubyte", IdxTests.Labels(1, 2, 3));

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
    }

    [Fact]
    public void ClassNames_AreTheTenFashionMnistClasses()
    {
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            FashionMnist.ClassNames);
    }
}
