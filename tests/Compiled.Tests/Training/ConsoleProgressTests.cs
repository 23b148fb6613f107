using System;
using System.IO;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary><see cref="ConsoleProgress"/>: the bar's text worked out by hand, live redrawing, and plain lines when redirected.</summary>
public sealed class ConsoleProgressTests
{
    [Fact]
    public void The_bar_shows_the_steps_loss_speed_and_time_left()
    {
        // 3 of 10 steps, 96 samples in 2 s: 48 samples/s, 2 s / 3 · 7 = 4.7 s left; 3/10 of 20 characters = 6.
        var report = new BatchReport(Epoch: 2, Epochs: 15, Batch: 3, Batches: 10, Samples: 96, Loss: 0.31234, Seconds: 2);
        Assert.Equal("epoch 2/15 [######--------------] 3/10  loss 0.3123  48 samples/s  4.7 s left", ConsoleProgress.Line(report, 20));
        var done = new BatchReport(1, 1, 860, 860, 55000, 0.5, 4);
        Assert.Equal("epoch 1/1 [##########] 860/860  loss 0.5000  13,750 samples/s  0.0 s left", ConsoleProgress.Line(done, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsoleProgress.Line(done, 0));
    }

    [Fact]
    public void Live_output_redraws_one_line_and_ends_each_epoch_with_its_report()
    {
        var writer = new StringWriter();
        var progress = new ConsoleProgress(writer, live: true, barWidth: 4);
        progress.Batch(new BatchReport(1, 2, 1, 2, 10, 1.25, 1));
        progress.Batch(new BatchReport(1, 2, 2, 2, 20, 1.0, 2));
        var epoch = new EpochReport(1, 2, 1.0, double.NaN, double.NaN, 2);
        progress.Epoch(epoch);
        string first = "epoch 1/2 [##--] 1/2  loss 1.2500  10 samples/s  1.0 s left";
        string second = "epoch 1/2 [####] 2/2  loss 1.0000  10 samples/s  0.0 s left";
        // The report is shorter than the bar it replaces: blanks cover the rest.
        string expected = "\r" + first + "\r" + second + "\r" + epoch + new string(' ', second.Length - epoch.ToString().Length) + writer.NewLine;
        Assert.Equal(expected, writer.ToString());
    }

    [Fact]
    public void Redirected_output_gets_the_epoch_reports_alone_after_a_fit()
    {
        var data = TestData.Load("digits.csv.gz");
        var writer = new StringWriter();
        int seen = 0;
        var options = new FitOptions { Epochs = 2, Progress = _ => seen++ };
        var progress = new ConsoleProgress(writer, live: false);
        progress.Attach(options);
        Assert.Null(options.BatchProgress);
        var history = new DigitsNet(seed: 1).Fit(data, options);
        Assert.Equal(2, seen); // the callback already there still runs
        Assert.Equal(history.Epochs.Select(e => e.ToString()), writer.ToString().Split(writer.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
