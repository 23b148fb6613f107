using System;
using System.IO;

namespace Compiled;

/// <summary>
/// Loads Fashion-MNIST (Zalando's 28×28 grayscale clothing images, 60,000 for training and 10,000 for
/// testing, 10 classes) from its four IDX files, plain or gzip-compressed. On Debian and Ubuntu the
/// package <c>dataset-fashion-mnist</c> installs them in <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    private const string TrainImages = "train-images-idx3-ubyte";
    private const string TrainLabels = "train-labels-idx1-ubyte";
    private const string TestImages = "t10k-images-idx3-ubyte";
    private const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The names of the classes, indexed by label.</summary>
    public static readonly string[] ClassNames =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>Whether all four files are present in <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).</summary>
    public static bool IsAvailable(string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        return Find(dir, TrainImages) is not null && Find(dir, TrainLabels) is not null
            && Find(dir, TestImages) is not null && Find(dir, TestLabels) is not null;
    }

    /// <summary>
    /// Loads the training and test sets: one row of pixels scaled to [0, 1] per image (784 features for
    /// 28×28 images) and the class label as the single target (see <see cref="ClassNames"/>).
    /// </summary>
    /// <param name="directory">Where the files are; <see cref="DefaultDirectory"/> if null.</param>
    /// <exception cref="FileNotFoundException">A file is missing (neither plain nor with a <c>.gz</c> extension).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or the image and label counts differ.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        return (LoadPart(dir, TrainImages, TrainLabels), LoadPart(dir, TestImages, TestLabels));
    }

    private static Dataset LoadPart(string directory, string imagesName, string labelsName)
    {
        string imagesPath = Require(directory, imagesName);
        string labelsPath = Require(directory, labelsName);
        float[] pixels = Idx.ReadImages(imagesPath, out int count, out int rows, out int columns);
        int[] labels = Idx.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"{imagesPath} has {count} images but {labelsPath} has {labels.Length} labels.");
        return Dataset.FromLabels(pixels, rows * columns, labels);
    }

    private static string Require(string directory, string name) =>
        Find(directory, name) ?? throw new FileNotFoundException(
            $"Fashion-MNIST file {name} (or {name}.gz) not found in {directory}; " +
            "install it with: sudo apt-get install dataset-fashion-mnist",
            Path.Combine(directory, name + ".gz"));

    /// <summary>The path of the plain or gzipped file, preferring the plain one; null if neither exists.</summary>
    private static string? Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        string gzipped = plain + ".gz";
        return File.Exists(gzipped) ? gzipped : null;
    }
}
