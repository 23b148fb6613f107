using System;
using System.Globalization;
using System.Text;

namespace Compiled;

/// <summary>
/// Counts of (true class, predicted class) pairs, and the classification metrics read from them:
/// accuracy, per-class precision, recall and F1, and their macro averages. Rows are true classes,
/// columns predicted classes (scikit-learn's convention).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix of <paramref name="classCount"/> × <paramref name="classCount"/> counts.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2 or above 4096 (the matrix is dense).</exception>
    public ConfusionMatrix(int classCount)
    {
        if (classCount < 2 || classCount > 4096)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A confusion matrix needs between 2 and 4096 classes.");
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>Samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, nameof(actual)) * ClassCount + Index(predicted, nameof(predicted))];

    /// <summary>Counts one sample.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside [0, ClassCount).</exception>
    public void Add(int actual, int predicted)
    {
        _counts[Index(actual, nameof(actual)) * ClassCount + Index(predicted, nameof(predicted))]++;
        Total++;
    }

    private int Index(int c, string name) =>
        (uint)c < (uint)ClassCount ? c : throw new ArgumentOutOfRangeException(name, c, $"Classes are 0 … {ClassCount - 1}.");

    private long Row(int c)
    {
        long sum = 0;
        for (int j = 0; j < ClassCount; j++) sum += _counts[c * ClassCount + j];
        return sum;
    }

    private long Column(int c)
    {
        long sum = 0;
        for (int i = 0; i < ClassCount; i++) sum += _counts[i * ClassCount + c];
        return sum;
    }

    /// <summary>Fraction of samples on the diagonal (NaN when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++) correct += _counts[c * ClassCount + c];
            return Total == 0 ? double.NaN : (double)correct / Total;
        }
    }

    /// <summary>Of the samples predicted as class <paramref name="c"/>, the fraction that are: TP / (TP + FP); 0 when none was predicted (scikit-learn's zero_division = 0).</summary>
    public double Precision(int c)
    {
        long predicted = Column(Index(c, nameof(c)));
        return predicted == 0 ? 0 : (double)_counts[c * ClassCount + c] / predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction found: TP / (TP + FN); 0 when the class has no samples.</summary>
    public double Recall(int c)
    {
        long actual = Row(Index(c, nameof(c)));
        return actual == 0 ? 0 : (double)_counts[c * ClassCount + c] / actual;
    }

    /// <summary>The harmonic mean of precision and recall, 2PR / (P + R); 0 when both are 0.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Samples of class <paramref name="c"/> (the row sum): scikit-learn's support.</summary>
    public long Support(int c) => Row(Index(c, nameof(c)));

    /// <summary>The unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1 => Mean(F1);

    /// <summary>The unweighted mean of the per-class precisions.</summary>
    public double MacroPrecision => Mean(Precision);

    /// <summary>The unweighted mean of the per-class recalls.</summary>
    public double MacroRecall => Mean(Recall);

    private double Mean(Func<int, double> metric)
    {
        double sum = 0;
        for (int c = 0; c < ClassCount; c++) sum += metric(c);
        return sum / ClassCount;
    }

    /// <summary>
    /// The matrix as text, true classes down and predicted across, then a per-class table of precision,
    /// recall, F1 and support (like scikit-learn's classification_report). <paramref name="names"/> labels
    /// the classes (default: their numbers).
    /// </summary>
    public string ToString(string[]? names)
    {
        if (names is not null && names.Length != ClassCount)
            throw new ArgumentException($"names has {names.Length} entries: expected one per class ({ClassCount}).", nameof(names));
        string Name(int c) => names?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        int labelWidth = 6, cellWidth = 6;
        for (int c = 0; c < ClassCount; c++)
        {
            labelWidth = Math.Max(labelWidth, Name(c).Length);
            cellWidth = Math.Max(cellWidth, Math.Max(Name(c).Length, Row(c).ToString(CultureInfo.InvariantCulture).Length) + 1);
        }
        var text = new StringBuilder();
        text.Append("actual \\ predicted".PadRight(labelWidth + 2)).AppendLine();
        text.Append(new string(' ', labelWidth + 2));
        for (int c = 0; c < ClassCount; c++) text.Append(Name(c).PadLeft(cellWidth));
        text.AppendLine();
        for (int i = 0; i < ClassCount; i++)
        {
            text.Append(Name(i).PadRight(labelWidth + 2));
            for (int j = 0; j < ClassCount; j++) text.Append(_counts[i * ClassCount + j].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            text.AppendLine();
        }
        text.AppendLine();
        text.Append("class".PadRight(labelWidth + 2)).AppendLine(" precision    recall        F1   support");
        for (int c = 0; c < ClassCount; c++)
            text.Append(Name(c).PadRight(labelWidth + 2))
                .Append(string.Format(CultureInfo.InvariantCulture, "{0,10:F4}{1,10:F4}{2,10:F4}{3,10}", Precision(c), Recall(c), F1(c), Support(c)))
                .AppendLine();
        text.Append("macro avg".PadRight(labelWidth + 2))
            .Append(string.Format(CultureInfo.InvariantCulture, "{0,10:F4}{1,10:F4}{2,10:F4}{3,10}", MacroPrecision, MacroRecall, MacroF1, Total))
            .AppendLine();
        text.Append("accuracy".PadRight(labelWidth + 2)).Append(string.Format(CultureInfo.InvariantCulture, "{0,30:F4}{1,10}", Accuracy, Total));
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToString(null);
}
