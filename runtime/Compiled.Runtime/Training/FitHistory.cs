using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Compiled;

/// <summary>The per-epoch record of a <see cref="Trainer.Fit"/> run, for a loss curve.</summary>
public sealed class FitHistory
{
    private readonly List<EpochReport> _epochs = new();

    /// <summary>One report per completed epoch, in order.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>True when early stopping ended the run before the planned epochs.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The 1-based epoch whose weights the network holds at the end (the best one under early stopping).</summary>
    public int BestEpoch { get; internal set; }

    internal void Add(EpochReport report) => _epochs.Add(report);

    /// <summary>
    /// Writes the history as CSV, one row per epoch under the header
    /// <c>epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,train_accuracy,train_evaluation_loss</c>:
    /// invariant culture, round-trip precision, empty fields for values that do not exist (NaN; the last two without
    /// <see cref="FitOptions.EvaluateTraining"/>), for a spreadsheet or a plot.
    /// </summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine("epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,train_accuracy,train_evaluation_loss");
        foreach (var e in _epochs)
            writer.WriteLine(string.Join(",", e.Epoch.ToString(CultureInfo.InvariantCulture),
                Number(e.TrainLoss), Number(e.ValidationLoss), Number(e.ValidationAccuracy), Number(e.Seconds), Number(e.LearningRate),
                Number(e.TrainAccuracy), Number(e.TrainEvaluationLoss)));
    }

    /// <summary>Writes <see cref="WriteCsv(TextWriter)"/>'s CSV to <paramref name="path"/> (UTF-8, replacing the file).</summary>
    public void WriteCsv(string path)
    {
        using var writer = new StreamWriter(path, append: false);
        WriteCsv(writer);
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);
}
