using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace Compiled;

/// <summary>
/// Training progress for a console: on a terminal, a live bar per epoch, redrawn in place,
/// <c>epoch 3/15 [#########-----------] 420/860  loss 0.3123  12,345 samples/s  4.2 s left</c>, replaced by the
/// epoch's report when it ends; when the output is redirected (a log file, CI), the epoch reports alone, one per line.
/// A small writer rather than a console UI package: it draws one line with <c>\r</c>, which every terminal and IDE
/// console shows.
/// </summary>
/// <example>
/// <code>
/// var options = new FitOptions { Epochs = 15, Validation = validation };
/// new ConsoleProgress().Attach(options);   // before Fit
/// net.Fit(train, options);
/// </code>
/// </example>
public sealed class ConsoleProgress
{
    private readonly TextWriter _writer;
    private readonly int _width;
    private int _lastLength;

    /// <summary>
    /// Progress written to <paramref name="writer"/> (default: the console), live when <paramref name="live"/> (default:
    /// when the console's output is not redirected), with a bar of <paramref name="barWidth"/> characters.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="barWidth"/> is below 1.</exception>
    public ConsoleProgress(TextWriter? writer = null, bool? live = null, int barWidth = 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(barWidth, 1);
        _writer = writer ?? Console.Out;
        Live = live ?? (writer is null && !Console.IsOutputRedirected);
        _width = barWidth;
    }

    /// <summary>Whether the bar is drawn during epochs (else only the epoch reports are written).</summary>
    public bool Live { get; }

    /// <summary>
    /// Sets <paramref name="options"/>' <see cref="FitOptions.BatchProgress"/> to the bar when live (redrawn every
    /// <see cref="FitOptions.BatchProgressInterval"/>-th step: raise it for epochs of many small steps) and puts the
    /// epoch reports before any <see cref="FitOptions.Progress"/> callback already there.
    /// </summary>
    public void Attach(FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Live) options.BatchProgress = Batch;
        var previous = options.Progress;
        options.Progress = previous is null ? Epoch : report => { Epoch(report); previous(report); };
    }

    /// <summary>Redraws the bar (live only; nothing otherwise).</summary>
    public void Batch(BatchReport report)
    {
        if (!Live) return;
        Draw(Line(report, _width));
    }

    /// <summary>Writes the epoch's report on a line of its own (over the bar when live).</summary>
    public void Epoch(EpochReport report)
    {
        if (Live) Draw(report.ToString());
        else _writer.Write(report.ToString());
        _writer.WriteLine();
        _lastLength = 0;
        _writer.Flush();
    }

    /// <summary>Writes <paramref name="text"/> over the current line, blanking what a longer previous line left.</summary>
    private void Draw(string text)
    {
        _writer.Write('\r');
        _writer.Write(text);
        if (_lastLength > text.Length) _writer.Write(new string(' ', _lastLength - text.Length));
        _lastLength = text.Length;
        _writer.Flush();
    }

    /// <summary>
    /// The bar's text for <paramref name="report"/>: <c>epoch E/N [###---] b/B  loss L  S samples/s  T s left</c>, the
    /// bar filled in proportion to the steps done (rounded down), invariant culture.
    /// </summary>
    public static string Line(BatchReport report, int barWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(barWidth, 1);
        int filled = report.Batches <= 0 ? 0 : (int)Math.Min(barWidth, (long)report.Batch * barWidth / report.Batches);
        var text = new StringBuilder(80);
        text.Append(CultureInfo.InvariantCulture, $"epoch {report.Epoch}/{report.Epochs} [");
        text.Append('#', filled).Append('-', barWidth - filled);
        text.Append(CultureInfo.InvariantCulture,
            $"] {report.Batch}/{report.Batches}  loss {report.Loss:F4}  {report.SamplesPerSecond:N0} samples/s  {report.SecondsLeft:F1} s left");
        return text.ToString();
    }
}
