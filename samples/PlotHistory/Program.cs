using System;
using System.IO;
using System.Linq;
using System.Globalization;
using ScottPlot;

// Usage: dotnet run -c Release --project samples/PlotHistory -- history.csv [plot.png]
// Reads the CSV FitHistory.WriteCsv writes (epoch, train_loss, validation_loss, validation_accuracy, seconds,
// learning_rate, train_accuracy, train_evaluation_loss; empty fields for values a run did not have) and draws the
// loss curves and the accuracy curves side by side into a PNG (default: the CSV's name with .png).
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("Usage: PlotHistory history.csv [plot.png]");
    return 2;
}
string csv = args[0], png = args.Length == 2 ? args[1] : Path.ChangeExtension(csv, ".png");
History history;
try
{
    history = History.Read(csv);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

var plot = new Multiplot();
plot.AddPlots(2);
plot.Layout = new ScottPlot.MultiplotLayouts.Columns();
Draw(plot.GetPlot(0), "Loss", "loss", Alignment.UpperRight, ("training (mean over the epoch's steps)", history.TrainLoss),
    ("training (evaluated after the epoch)", history.TrainEvaluationLoss), ("validation", history.ValidationLoss));
Draw(plot.GetPlot(1), "Accuracy", "accuracy", Alignment.LowerRight, ("training", history.TrainAccuracy), ("validation", history.ValidationAccuracy));
plot.SavePng(png, 1200, 450);
Console.WriteLine($"{history.Epochs.Length} epochs plotted to {png}.");
return 0;

void Draw(Plot panel, string title, string axis, Alignment legend, params (string Label, double[] Values)[] curves)
{
    foreach (var (label, values) in curves)
    {
        // A curve the run did not record (all empty fields) is left out rather than drawn as nothing.
        var points = history.Epochs.Zip(values).Where(p => !double.IsNaN(p.Second)).ToArray();
        if (points.Length == 0) continue;
        var line = panel.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
        line.LegendText = label;
    }
    panel.Title(title);
    panel.XLabel("epoch");
    panel.YLabel(axis);
    panel.ShowLegend(legend); // losses fall and accuracies rise: the legend sits where the curves are not
}

/// <summary>The columns of a history CSV, NaN where a field is empty.</summary>
sealed record History(double[] Epochs, double[] TrainLoss, double[] ValidationLoss, double[] ValidationAccuracy,
    double[] TrainAccuracy, double[] TrainEvaluationLoss)
{
    private const string Header = "epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,train_accuracy,train_evaluation_loss";

    public static History Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
            throw new InvalidDataException($"{path} is not a training history: its first line should be \"{Header}\".");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select((line, i) =>
        {
            string[] fields = line.Split(',');
            if (fields.Length != 8)
                throw new InvalidDataException($"{path}, line {i + 2}: {fields.Length} fields, expected 8.");
            return fields.Select(f => f.Length == 0 ? double.NaN
                : double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new InvalidDataException($"{path}, line {i + 2}: '{f}' is not a number.")).ToArray();
        }).ToArray();
        if (rows.Length == 0) throw new InvalidDataException($"{path} has no epochs.");
        double[] Column(int c) => rows.Select(r => r[c]).ToArray();
        return new History(Column(0), Column(1), Column(2), Column(3), Column(6), Column(7));
    }
}
