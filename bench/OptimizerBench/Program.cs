using System;
using System.Diagnostics;
using System.Linq;
using Compiled;
using Compiled.Kernels;

// OptimizerBench: the cost of one optimizer step, in µs per million parameters, on 1 and 2 threads
// (Sgemm.MaxThreads), best of 5 rounds of at least 0.3 s each. Arguments: buffer sizes in millions (default 2 10).
int[] millions = args.Length > 0 ? args.Select(int.Parse).ToArray() : new[] { 2, 10 };
var makers = new (string Name, Func<Optimizer> Make)[]
{
    ("Sgd", () => new Sgd(0.01f)),
    ("Sgd, momentum", () => new Sgd(0.01f, momentum: 0.9f)),
    ("Adam", () => new Adam()),
    ("AdamW", () => new AdamW()),
    ("RmsProp, centered + momentum", () => new RmsProp(0.01f, momentum: 0.9f, centered: true)),
};
Console.WriteLine($"{Environment.ProcessorCount} logical cores; µs per million parameters (best of 5)");
Console.WriteLine($"{"parameters",10}  {"optimizer",-30} {"1 thread",10} {"2 threads",10}");
foreach (int m in millions)
{
    var p = new float[m * 1_000_000];
    var g = new float[p.Length];
    var rng = new Rng(1L);
    for (int i = 0; i < g.Length; i++) g[i] = rng.NextUniform(-1e-3f, 1e-3f);
    foreach (var (name, make) in makers)
    {
        var cost = new double[2];
        for (int threads = 1; threads <= 2; threads++)
        {
            Sgemm.MaxThreads = threads;
            var optimizer = make();
            optimizer.Step(p, g); // warm-up: moment buffers, workers
            double best = double.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                int steps = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < 0.3) { optimizer.Step(p, g); steps++; }
                best = Math.Min(best, clock.Elapsed.TotalSeconds * 1e6 / steps / m);
            }
            cost[threads - 1] = best;
        }
        Console.WriteLine($"{m + "M",10}  {name,-30} {cost[0],10:F0} {cost[1],10:F0}");
    }
}
