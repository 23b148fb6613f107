using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text;
using System.Threading.Tasks;
using BrowserDigits;
using Compiled.Kernels;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.BrowserTests;

/// <summary>
/// The browser demo end to end in headless Chromium: the page trains the network in WebAssembly, its test accuracy is
/// read off the page, a digit from the test set is drawn on the canvas with the mouse and must be recognised, and the
/// page's Predict latency is compared with the same network's natively.
/// </summary>
/// <remarks>
/// Needs the published demo (BROWSERDIGITS_WWWROOT, or samples/BrowserDigits/bin/Release/net10.0/publish/wwwroot)
/// and Chromium (CHROMIUM_PATH, or /usr/bin/chromium): .ci/browser.sh provides both. Playwright cannot download its
/// own browsers here, so the system's Chromium is launched through ExecutablePath.
/// </remarks>
public sealed class BrowserDigitsTests
{
    private const int Rounds = 31, CallsPerRound = 1000;   // as on the page
    private readonly ITestOutputHelper _output;

    public BrowserDigitsTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task TrainsInTheBrowser_RecognisesADrawnTestDigit_AndReportsLatency()
    {
        // BROWSERDIGITS_URL: a page already served (e.g. by `dotnet run --project samples/BrowserDigits`); otherwise the
        // published wwwroot is served here.
        string? url = Environment.GetEnvironmentVariable("BROWSERDIGITS_URL");
        string wwwroot = Environment.GetEnvironmentVariable("BROWSERDIGITS_WWWROOT")
            ?? Path.Combine(RepositoryRoot(), "samples", "BrowserDigits", "bin", "Release", "net10.0", "publish", "wwwroot");
        Assert.True(url is not null || File.Exists(Path.Combine(wwwroot, "index.html")),
            $"The published demo is missing: no {wwwroot}/index.html. Run: dotnet publish samples/BrowserDigits -c Release (or bash .ci/browser.sh).");
        string chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"No Chromium at {chromium}: apt-get install -y chromium (or bash .ci/browser.sh).");

        // The same data, network and training loop natively: the digit to draw comes from this test set.
        var native = new DigitsTraining(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
        var clock = Stopwatch.StartNew();
        while (native.Epoch < DigitsTraining.Epochs) native.TrainEpoch();
        double nativeTrainSeconds = clock.Elapsed.TotalSeconds;
        double nativeAccuracy = native.Network.Evaluate(native.Test).Accuracy;
        (int sampleIndex, int[] pixels, int label) = DigitToDraw(native.Test);

        await using var site = url is null ? await StaticSite.StartAsync(wwwroot) : null;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Root in a container: no sandbox; /dev/shm is often small there.
            Args = new[] { "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu" },
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) console.Add($"[{message.Type}] {message.Text}"); };
        page.PageError += (_, error) => { lock (console) console.Add($"[pageerror] {error}"); };

        clock.Restart();
        await page.GotoAsync(url ?? site!.Url);
        var status = page.Locator("#status");
        try
        {
            await page.WaitForFunctionAsync(
                "() => { const s = document.querySelector('#status'); return s && (s.dataset.state === 'done' || s.dataset.state === 'error'); }",
                null, new PageWaitForFunctionOptions { Timeout = 300_000, PollingInterval = 250 });
        }
        finally
        {
            lock (console) foreach (string line in console) _output.WriteLine("browser console: " + line);
        }
        double pageSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(await status.GetAttributeAsync("data-state") == "done", "The page failed: " + await status.TextContentAsync());

        double accuracy = Number(await page.Locator("#test-accuracy").TextContentAsync());
        double browserTrainSeconds = Number((await page.Locator("#train-seconds").TextContentAsync())!.Replace(" s", ""));
        double browserLatency = Number((await page.Locator("#latency-us").TextContentAsync())!.Replace(" µs", ""));
        double browserHandScalar = Number((await page.Locator("#latency-hand-scalar-us").TextContentAsync())!.Replace(" µs", ""));
        double browserHandVector = Number((await page.Locator("#latency-hand-v128-us").TextContentAsync())!.Split(' ')[0]);
        double handDifference = Number(await page.Locator("#hand-difference").TextContentAsync());
        string simd = (await page.Locator("#simd").TextContentAsync())!.Trim();
        string vectors = (await page.Locator("#vector").TextContentAsync())!.Trim();
        string path = (await page.Locator("#sgemm-path").TextContentAsync())!.Trim();
        string runtime = (await page.Locator("#runtime").TextContentAsync())!.Trim();
        // WebAssembly SIMD is on, and the kernels use it: the products take the Vector128 path, not the scalar one.
        Assert.Equal("True", simd);
        Assert.Equal("vector128", path);

        // Draw the test digit with the mouse (DrawAsync): the page must recognise it.
        var pad = (await page.Locator("#pad").BoundingBoxAsync())!;
        await DrawAsync(page, pixels, pad);
        await page.WaitForFunctionAsync("() => document.querySelector('#prediction').textContent.trim() !== '–'");
        await page.WaitForTimeoutAsync(200);   // the last stroke's prediction
        int predicted = int.Parse((await page.Locator("#prediction").TextContentAsync())!.Trim(), CultureInfo.InvariantCulture);
        string drawn = (await page.Locator("#input-grid").GetAttributeAsync("data-values"))!;

        // A hand-drawn "1" after Clear: one vertical stroke down the middle, as a user would draw it.
        await page.Locator("#clear").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#prediction').textContent.trim() === '–'");
        await page.Mouse.MoveAsync((float)(pad.X + pad.Width / 2), (float)(pad.Y + pad.Height * 0.15));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(pad.X + pad.Width / 2), (float)(pad.Y + pad.Height * 0.85), new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#prediction').textContent.trim() !== '–'");
        int predictedOne = int.Parse((await page.Locator("#prediction").TextContentAsync())!.Trim(), CultureInfo.InvariantCulture);
        string drawnOne = (await page.Locator("#input-grid").GetAttributeAsync("data-values"))!;
        // The screenshot shows the test digit, drawn again.
        await page.Locator("#clear").ClickAsync();
        await DrawAsync(page, pixels, pad);
        await page.WaitForTimeoutAsync(200);

        string screenshot = Environment.GetEnvironmentVariable("BROWSERDIGITS_SCREENSHOT")
            ?? Path.Combine(AppContext.BaseDirectory, "browser-digits.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        // The same network's batch-1 Predict natively, measured as the page does (rounds of calls, median).
        var logits = new float[DigitsNet.OutputSize];
        float[] first = native.Test.FeatureRow(0).ToArray();
        // Warm up for half a second per method, so the measurement sees tier-1 code (tiered compilation promotes a
        // method about 100 ms after its 30th call; shorter warm-ups measured the unoptimised tier 0).
        WarmUp(() => DigitsTraining.PredictRound(native.Network, first, logits, CallsPerRound));
        var rounds = new double[Rounds];
        for (int i = 0; i < Rounds; i++) rounds[i] = DigitsTraining.PredictRound(native.Network, first, logits, CallsPerRound);
        double nativeLatency = DigitsTraining.Median(rounds);
        var hidden = new float[DigitsNet.Dense1Units];
        var nativeHand = new double[2];
        foreach (bool vector in new[] { false, true })
        {
            WarmUp(() => DigitsTraining.PredictByHandRound(native.Network, first, logits, hidden, vector, CallsPerRound));
            for (int i = 0; i < Rounds; i++) rounds[i] = DigitsTraining.PredictByHandRound(native.Network, first, logits, hidden, vector, CallsPerRound);
            nativeHand[vector ? 1 : 0] = DigitsTraining.Median(rounds);
        }

        var report = new StringBuilder();
        report.AppendLine($"page loaded, trained and measured in {pageSeconds:F1} s ({runtime})");
        report.AppendLine($"test accuracy: browser {accuracy:F4}, native {nativeAccuracy:F4} ({native.Test.Count} images)");
        report.AppendLine($"training {DigitsTraining.Epochs} epochs: browser {browserTrainSeconds:F1} s, native {nativeTrainSeconds:F2} s");
        report.AppendLine($"Predict batch 1, median of {Rounds} rounds of {CallsPerRound} calls: browser {browserLatency:F2} µs, native {nativeLatency:F2} µs ({browserLatency / nativeLatency:F0}×)");
        report.AppendLine($"the same math as hand-written loops (an experiment, not Compiled's path): scalar browser {browserHandScalar:F2} µs, native {nativeHand[0]:F2} µs; Vector128 browser {browserHandVector:F2} µs, native {nativeHand[1]:F2} µs (largest logit difference from Predict in the browser {handDifference:G2})");
        report.AppendLine($"browser: Vector128.IsHardwareAccelerated {simd}; Vector256 / Vector<float> {vectors}; Sgemm.Path {path}");
        report.AppendLine($"native: Vector128.IsHardwareAccelerated {Vector128.IsHardwareAccelerated}; Sgemm.Path {Sgemm.Path}");
        report.AppendLine($"drawn: test image {sampleIndex}, label {label}; predicted {predicted}");
        report.AppendLine($"  sample   {string.Join(",", pixels)}");
        report.AppendLine($"  on page  {drawn}");
        report.AppendLine($"a vertical stroke (\"1\"): predicted {predictedOne}; on page {drawnOne}");
        report.AppendLine($"screenshot: {screenshot}");
        _output.WriteLine(report.ToString());
        string? results = Environment.GetEnvironmentVariable("BROWSERDIGITS_RESULTS");
        if (results is not null) File.WriteAllText(results, report.ToString());

        Assert.True(accuracy >= 0.9, $"test accuracy in the browser {accuracy:F4} < 0.9");
        Assert.Equal(label, predicted);
        Assert.Equal(1, predictedOne);
        Assert.True(handDifference < 1e-3, $"the hand-written loops differ from Predict by {handDifference}");
    }

    /// <summary>
    /// Draws an 8×8 image on the pad: each run of bright pixels in a row becomes one mouse stroke through the centres
    /// of its cells on the 8×8 grid laid over the canvas (the page normalises the ink's bounding box like the UCI data).
    /// </summary>
    private static async Task DrawAsync(IPage page, int[] pixels, LocatorBoundingBoxResult pad)
    {
        double cell = pad.Width / 8;
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++)
            {
                if (!Bright(pixels[r * 8 + c]) || (c > 0 && Bright(pixels[r * 8 + c - 1]))) continue;
                int end = c;
                while (end + 1 < 8 && Bright(pixels[r * 8 + end + 1])) end++;
                double y = pad.Y + (r + 0.5) * cell;
                await page.Mouse.MoveAsync((float)(pad.X + (c + 0.5) * cell), (float)y);
                await page.Mouse.DownAsync();
                await page.Mouse.MoveAsync((float)(pad.X + (end + 0.5) * cell), (float)y, new MouseMoveOptions { Steps = 4 });
                await page.Mouse.UpAsync();
            }
    }

    private static void WarmUp(Func<double> round)
    {
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 500) round();
    }

    private static bool Bright(int intensity) => intensity >= 7;

    /// <summary>
    /// The first test image whose bright pixels span all 8 rows and sit centred in the columns, so the page's
    /// bounding-box normalisation maps the drawn strokes back onto the same cells.
    /// </summary>
    private static (int Index, int[] Pixels, int Label) DigitToDraw(Dataset test)
    {
        for (int i = 0; i < test.Count; i++)
        {
            int[] pixels = test.FeatureRow(i).ToArray().Select(v => (int)MathF.Round(v * 16)).ToArray();
            var cells = Enumerable.Range(0, 64).Where(k => Bright(pixels[k])).ToArray();
            if (cells.Length == 0) continue;
            int top = cells.Min(k => k / 8), bottom = cells.Max(k => k / 8), left = cells.Min(k => k % 8), right = cells.Max(k => k % 8);
            if (top == 0 && bottom == 7 && left + right == 7) return (i, pixels, (int)test.Targets[i]);
        }
        throw new InvalidOperationException("No test image fits.");
    }

    private static double Number(string? text) => double.Parse(text!.Trim(), CultureInfo.InvariantCulture);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "samples", "BrowserDigits"))) return dir.FullName;
        throw new DirectoryNotFoundException("samples/BrowserDigits not found above " + AppContext.BaseDirectory);
    }
}
