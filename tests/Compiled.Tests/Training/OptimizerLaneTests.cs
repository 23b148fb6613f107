using System;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// Long buffers against a scalar double-precision loop written here from the formulas: 37 values (the vector body
/// of 4, 8 or 16 lanes and a scalar tail) and, threading turned on from 2²⁰ parameters, 2²⁰ + 37 values, where one
/// thread and two must give identical bytes. Runs alone: it changes <see cref="Sgemm.MaxThreads"/> and
/// <see cref="Optimizer.ParallelThreshold"/>.
/// </summary>
[Collection("Sgemm threading")]
public sealed class OptimizerLaneTests
{
    /// <summary>One configuration: how to create it, and its rule in double on (p, g, state buffers, η, t).</summary>
    public sealed record Case(string Name, Func<Optimizer> Create, Action<double[], float[], double[][], double, long> Reference)
    {
        public override string ToString() => Name;
    }

    private const double Mu = (double)0.9f, Wd = (double)0.01f;

    /// <summary>The threading threshold these tests turn on.</summary>
    private const int Threshold = 1 << 20;

    private static readonly Case[] All =
    [
        new("sgd", () => new Sgd(0.1f), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++) p[i] -= lr * g[i];
        }),
        new("sgd weight decay", () => new Sgd(0.1f, weightDecay: 0.01f), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++) p[i] -= lr * (g[i] + Wd * p[i]);
        }),
        new("sgd momentum, weight decay", () => new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + Wd * p[i];
                s[0][i] = Mu * s[0][i] + gi;
                p[i] -= lr * s[0][i];
            }
        }),
        new("sgd nesterov", () => new Sgd(0.1f, momentum: 0.9f, nesterov: true), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                s[0][i] = Mu * s[0][i] + g[i];
                p[i] -= lr * (g[i] + Mu * s[0][i]);
            }
        }),
        new("sgd sutskever", () => new Sgd(0.1f, momentum: 0.9f, form: MomentumForm.Sutskever), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                s[0][i] = Mu * s[0][i] - lr * g[i];
                p[i] += s[0][i];
            }
        }),
        new("sgd sutskever nesterov, weight decay", () => new Sgd(0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f, form: MomentumForm.Sutskever), (p, g, s, lr, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double step = lr * (g[i] + Wd * p[i]);
                s[0][i] = Mu * s[0][i] - step;
                p[i] += Mu * s[0][i] - step;
            }
        }),
        new("adagrad, every option", () => new AdaGrad(0.1f, epsilon: 1e-6f, initialAccumulator: 0.1f, learningRateDecay: 0.5f, weightDecay: 0.01f), (p, g, s, lr, t) =>
        {
            double clr = lr / (1 + (t - 1) * 0.5);
            for (int i = 0; i < p.Length; i++)
            {
                if (t == 1) s[0][i] = (double)0.1f;
                double gi = g[i] + Wd * p[i];
                s[0][i] += gi * gi;
                p[i] -= clr * gi / (Math.Sqrt(s[0][i]) + (double)1e-6f);
            }
        }),
        new("rmsprop", () => new RmsProp(0.01f, alpha: 0.9f), (p, g, s, lr, t) =>
        {
            const double a = (double)0.9f;
            for (int i = 0; i < p.Length; i++)
            {
                s[0][i] = a * s[0][i] + (1 - a) * g[i] * g[i];
                p[i] -= lr * g[i] / (Math.Sqrt(s[0][i]) + (double)1e-8f);
            }
        }),
        new("rmsprop centered, momentum, weight decay", () => new RmsProp(0.01f, alpha: 0.9f, momentum: 0.5f, centered: true, weightDecay: 0.01f), (p, g, s, lr, t) =>
        {
            const double a = (double)0.9f;
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + Wd * p[i];
                s[0][i] = a * s[0][i] + (1 - a) * gi * gi;
                s[1][i] = a * s[1][i] + (1 - a) * gi;
                s[2][i] = 0.5 * s[2][i] + gi / (Math.Sqrt(s[0][i] - s[1][i] * s[1][i]) + (double)1e-8f);
                p[i] -= lr * s[2][i];
            }
        }),
        new("adam, weight decay", () => new Adam(0.01f, weightDecay: 0.01f), (p, g, s, lr, t) => AdamReference(p, g, s, lr, t, l2: Wd, decay: 1)),
        new("adamw", () => new AdamW(0.01f), (p, g, s, lr, t) => AdamReference(p, g, s, lr, t, l2: 0, decay: 1 - lr * Wd)),
    ];

    private static void AdamReference(double[] p, float[] g, double[][] s, double lr, long t, double l2, double decay)
    {
        double b1 = (double)0.9f, b2 = (double)0.999f;
        for (int i = 0; i < p.Length; i++)
        {
            double gi = g[i] + l2 * p[i];
            s[0][i] = b1 * s[0][i] + (1 - b1) * gi;
            s[1][i] = b2 * s[1][i] + (1 - b2) * gi * gi;
            double mHat = s[0][i] / (1 - Math.Pow(b1, t)), vHat = s[1][i] / (1 - Math.Pow(b2, t));
            p[i] = decay * p[i] - lr * mHat / (Math.Sqrt(vHat) + (double)1e-8f);
        }
    }

    public static TheoryData<Case> Cases() => new(All);

    /// <summary>Three steps (the learning rate halved for the third) on n parameters, checked against the reference.</summary>
    private static float[] RunAndCheck(Case c, int n, Action? beforeStep = null)
    {
        var rng = new Rng(7);
        var p = new float[n];
        for (int i = 0; i < n; i++) p[i] = rng.NextGaussian();
        var expected = p.Select(v => (double)v).ToArray();
        var state = new[] { new double[n], new double[n], new double[n] };
        var optimizer = c.Create();
        var g = new float[n];
        for (long t = 1; t <= 3; t++)
        {
            if (t == 3) optimizer.LearningRate /= 2;
            for (int i = 0; i < n; i++) g[i] = rng.NextGaussian() * (1 + i % 5);
            beforeStep?.Invoke();
            optimizer.Step(p, g);
            c.Reference(expected, g, state, optimizer.LearningRate, t);
        }
        for (int i = 0; i < n; i++)
        {
            double error = Math.Abs(p[i] - expected[i]);
            if (!(error <= 2e-6 * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{c.Name}, n = {n}, p[{i}]: expected {expected[i]:R}, got {p[i]:R}");
        }
        return p;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector_body_and_tail_follow_the_formula(Case c) => RunAndCheck(c, 37);

    private static readonly float[] s_a = new float[64 * 128], s_b = new float[256 * 128], s_c = new float[64 * 256];

    /// <summary>A product large enough to be split: the SGEMM workers are awake (spinning) right after it, as in a training step.</summary>
    private static void WakeProductWorkers() => Sgemm.Multiply(false, true, 64, 256, 128, 1f, s_a, 128, s_b, 128, 0f, s_c, 256);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_split_over_the_awake_product_workers_gives_the_bytes_of_one_thread(Case c)
    {
        int n = 6 * (1 << 14) + 37; // above Optimizer.SplitMinimum, below ParallelThreshold: a part per thread, the last shorter
        Assert.InRange(n, Optimizer.SplitMinimum, Optimizer.ParallelThreshold - 1);
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 1;
            long jobs = SgemmParallel.PartJobs;
            var one = RunAndCheck(c, n, WakeProductWorkers);
            Assert.Equal(jobs, SgemmParallel.PartJobs);
            Sgemm.MaxThreads = 2;
            var two = RunAndCheck(c, n, WakeProductWorkers);
            // Split steps (this collection runs alone, so the count is ours): normally all three; a step whose thread was
            // descheduled for half a millisecond after the product finds the workers gone back to sleep and runs alone.
            long split = SgemmParallel.PartJobs;
            Assert.InRange(split, jobs + 1, jobs + 3);
            Assert.True(MemoryMarshal.AsBytes(one.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(two.AsSpan())), $"{c.Name}: 1 and 2 threads differ");
            // Workers that have gone to sleep are not woken for it: the caller updates alone, to the same bytes.
            var asleep = RunAndCheck(c, n, () => System.Threading.Thread.Sleep(5));
            Assert.Equal(split, SgemmParallel.PartJobs);
            Assert.True(MemoryMarshal.AsBytes(one.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(asleep.AsSpan())));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    /// <summary>Everything a skipped step must leave alone: the parameters, the step count and the saved state.</summary>
    private static byte[] Snapshot(Optimizer optimizer, float[] p)
    {
        var stream = new System.IO.MemoryStream();
        optimizer.SaveState(stream);
        stream.Write(MemoryMarshal.AsBytes(p.AsSpan()));
        stream.Write(BitConverter.GetBytes(optimizer.StepCount));
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_split_TryStep_checks_every_part_before_it_changes_anything(Case c)
    {
        int n = 6 * (1 << 14) + 37; // a part per thread, the last shorter, split over the awake product workers
        int saved = Sgemm.MaxThreads;
        try
        {
            // The reference: two good steps on one thread.
            Sgemm.MaxThreads = 1;
            var rng = new Rng(11);
            var p0 = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
            var g1 = Enumerable.Range(0, n).Select(i => rng.NextGaussian() * (1 + i % 3)).ToArray();
            var g2 = Enumerable.Range(0, n).Select(i => rng.NextGaussian() * (1 + i % 5)).ToArray();
            var expected = (float[])p0.Clone();
            var reference = c.Create();
            Assert.True(reference.TryStep(expected, g1));
            Assert.True(reference.TryStep(expected, g2));

            // The same with a rejected step between them, on two threads: a NaN or ±∞ in the first, a middle and the last part.
            var p = (float[])p0.Clone();
            var optimizer = c.Create();
            Assert.True(optimizer.TryStep(p, g1));   // the first step, alone: it creates the state
            Sgemm.MaxThreads = 2;
            byte[] before = Snapshot(optimizer, p);
            long jobs = SgemmParallel.PartJobs;
            int attempts = 0;
            foreach (int position in new[] { 0, n / 2, n - 1 })
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    var g = (float[])g2.Clone();
                    g[position] = bad;
                    WakeProductWorkers();
                    Assert.False(optimizer.TryStep(p, g), $"{c.Name}: {bad} at {position} was not refused");
                    Assert.True(before.AsSpan().SequenceEqual(Snapshot(optimizer, p)), $"{c.Name}: {bad} at {position} changed the parameters or the state");
                    attempts++;
                }
            // Normally every refused step ran on the workers; one whose thread was descheduled after the product ran alone.
            Assert.InRange(SgemmParallel.PartJobs, jobs + 1, jobs + attempts);
            WakeProductWorkers();
            Assert.True(optimizer.TryStep(p, g2));
            Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(p.AsSpan())), $"{c.Name}: the step after the refused ones differs from one thread's");
            // With the workers asleep the caller checks and updates alone, with the same outcome.
            var asleep = (float[])p0.Clone();
            var alone = c.Create();
            Assert.True(alone.TryStep(asleep, g1));
            var nan = (float[])g2.Clone();
            nan[n - 1] = float.NaN;
            System.Threading.Thread.Sleep(5);
            long quiet = SgemmParallel.PartJobs;
            Assert.False(alone.TryStep(asleep, nan));
            Assert.True(alone.TryStep(asleep, g2));
            Assert.Equal(quiet, SgemmParallel.PartJobs);
            Assert.True(MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(asleep.AsSpan())));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    /// <summary>A user's optimizer: its own update rule, not the library's parts.</summary>
    private sealed class PlainDescent() : Optimizer(0.5f)
    {
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
        {
            for (int i = 0; i < parameters.Length; i++) parameters[i] -= LearningRate * gradients[i];
        }
    }

    [Fact]
    public void A_users_optimizer_is_checked_before_its_update_on_any_thread_count()
    {
        int n = 6 * (1 << 14) + 37, saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            var p = new float[n];
            var g = Enumerable.Range(0, n).Select(i => (i % 7 - 3) * 0.25f).ToArray();
            var optimizer = new PlainDescent();
            Assert.True(optimizer.TryStep(p, g));
            Assert.Equal(-0.5f * g[1], p[1]);
            var before = (float[])p.Clone();
            g[n - 1] = float.NaN;
            WakeProductWorkers();
            Assert.False(optimizer.TryStep(p, g));
            Assert.Equal(1, optimizer.StepCount);
            Assert.True(before.AsSpan().SequenceEqual(p));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(65536, 2)]
    [InlineData(98341, 2)]
    [InlineData(98341, 3)]
    [InlineData(203530, 2)]
    [InlineData(2097151, 16)]
    public void A_split_update_has_one_aligned_part_per_thread_covering_the_buffer(int length, int threads)
    {
        int part = Optimizer.SplitPart(length, threads);
        Assert.Equal(0, part % OptimizerThreads.ChunkAlignment);      // every part starts on the vector grid
        int parts = (length + part - 1) / part;
        Assert.Equal(threads, parts);                                // one per thread, none empty
        Assert.True((long)part * (parts - 1) < length && (long)part * parts >= length);
        Assert.True(part - (length + threads - 1) / threads < OptimizerThreads.ChunkAlignment, "parts larger than an even share needs");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Two_threads_give_the_bytes_of_one(Case c)
    {
        int n = Threshold + 37;
        int saved = Sgemm.MaxThreads, savedThreshold = Optimizer.ParallelThreshold;
        Optimizer.ParallelThreshold = Threshold;
        try
        {
            Sgemm.MaxThreads = 1;
            long threaded = OptimizerThreads.ThreadedSteps;
            var one = RunAndCheck(c, n);
            Assert.Equal(threaded, OptimizerThreads.ThreadedSteps);
            Sgemm.MaxThreads = 2;
            var two = RunAndCheck(c, n);
            Assert.Equal(threaded + 3, OptimizerThreads.ThreadedSteps);   // this collection runs alone: every step was ours
            Assert.True(MemoryMarshal.AsBytes(one.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(two.AsSpan())), $"{c.Name}: 1 and 2 threads differ");
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            Optimizer.ParallelThreshold = savedThreshold;
        }
    }

    [Fact]
    public void Threading_starts_at_the_threshold_and_the_threshold_is_checked()
    {
        Assert.Equal(1 << 21, Optimizer.ParallelThreshold);
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            long threaded = OptimizerThreads.ThreadedSteps;
            new Adam().Step(new float[(1 << 21) - 1], new float[(1 << 21) - 1]);
            Assert.Equal(threaded, OptimizerThreads.ThreadedSteps);
            new Adam().Step(new float[1 << 21], new float[1 << 21]);
            Assert.Equal(threaded + 1, OptimizerThreads.ThreadedSteps);
            Optimizer.ParallelThreshold = int.MaxValue;
            new Adam().Step(new float[1 << 21], new float[1 << 21]);
            Assert.Equal(threaded + 1, OptimizerThreads.ThreadedSteps);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            Optimizer.ParallelThreshold = 1 << 21;
        }
        Assert.Contains("int.MaxValue turns threading off", Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.ParallelThreshold = 0).Message);
    }

    [Fact]
    public void Steps_allocate_nothing_after_the_first_on_one_thread_or_several()
    {
        int saved = Sgemm.MaxThreads, savedThreshold = Optimizer.ParallelThreshold;
        Optimizer.ParallelThreshold = Threshold;
        try
        {
            Sgemm.MaxThreads = 2;
            foreach (int n in new[] { 37, Threshold + 37 })
            {
                var p = new float[n];
                var g = Enumerable.Range(0, n).Select(i => (i % 7 - 3) * 0.01f).ToArray();
                var optimizers = All.Select(c => c.Create()).ToArray();
                foreach (var optimizer in optimizers) optimizer.Step(p, g);
                Allocations.AssertSteadyStateIsAllocationFree(() =>
                {
                    foreach (var optimizer in optimizers) optimizer.Step(p, g);
                });
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            Optimizer.ParallelThreshold = savedThreshold;
        }
    }

    /// <summary>Steps from several threads at once on their own buffers: the pool serves one, the others run alone; all are right.</summary>
    [Fact]
    public void Concurrent_large_steps_each_give_the_single_thread_result()
    {
        int n = Threshold + 5;
        var g = Enumerable.Range(0, n).Select(i => (i % 11 - 5) * 0.1f).ToArray();
        var expected = new float[n];
        int saved = Sgemm.MaxThreads, savedThreshold = Optimizer.ParallelThreshold;
        Optimizer.ParallelThreshold = Threshold;
        try
        {
            Sgemm.MaxThreads = 1;
            var reference = new Adam(0.01f);
            for (int s = 0; s < 3; s++) reference.Step(expected, g);
            Sgemm.MaxThreads = 2;
            var results = new float[4][];
            System.Threading.Tasks.Parallel.For(0, 4, k =>
            {
                var p = new float[n];
                var adam = new Adam(0.01f);
                for (int s = 0; s < 3; s++) adam.Step(p, g);
                results[k] = p;
            });
            foreach (var p in results) Assert.True(p.AsSpan().SequenceEqual(expected));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            Optimizer.ParallelThreshold = savedThreshold;
        }
    }
}
