using System;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// <see cref="FitOptions.Threads"/>: the thread count of one run, on the training thread only. Oracles: the process's
/// counters of split products and optimizer passes, and the bytes of the same run on one thread (results do not
/// depend on the thread count).
/// </summary>
[Collection("Sgemm threading")]
public sealed class FitThreadsTests
{
    private static (float[] Weights, long Products, long Parts) Train(int threads)
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, _) = data.SplitStratified(0.25, seed: 3);
        MinMaxScaler.Fit(train).Transform(train);
        var net = new FashionMlp(); // 784 inputs: the digits padded below, so the products are large enough to split
        var x = new float[train.Count * 784];
        for (int s = 0; s < train.Count; s++) train.FeatureRow(s).CopyTo(x.AsSpan(s * 784, 64));
        var padded = new Dataset(x, 784, train.Targets, 1);
        long products = SgemmParallel.ProductJobs, parts = SgemmParallel.PartJobs;
        net.Fit(padded, new FitOptions { Epochs = 2, BatchSize = 128, Optimizer = new Adam(0.002f), Seed = 4, Threads = threads });
        return (net.Parameters.ToArray(), SgemmParallel.ProductJobs - products, SgemmParallel.PartJobs - parts);
    }

    [Fact]
    public void A_run_uses_its_own_thread_count_and_gives_the_same_bytes()
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2; // process-wide
            var one = Train(threads: 1);
            Assert.Equal(0, one.Products); // one thread: no product was split
            Assert.Equal(0, one.Parts);
            Assert.Equal(2, Sgemm.MaxThreads); // restored after the run

            Sgemm.MaxThreads = 1; // process-wide one thread, the run asks for two
            var two = Train(threads: 2);
            Assert.True(two.Products > 0, "no product was split with Threads = 2");
            Assert.Equal(1, Sgemm.MaxThreads);
            Assert.True(MemoryMarshal.AsBytes(one.Weights.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(two.Weights.AsSpan())));

            var inherited = Train(threads: 0); // 0: the process-wide value, here 1
            Assert.Equal(0, inherited.Products);
            Assert.True(MemoryMarshal.AsBytes(one.Weights.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(inherited.Weights.AsSpan())));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_negative_count_is_refused_and_other_threads_keep_the_process_value()
    {
        var data = new Dataset(new float[4 * 784], 784, new float[4], 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FashionMlp().Fit(data, new FitOptions { Threads = -1 }));
        Assert.Contains("FitOptions.Threads", e.Message);

        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            int seenInside = 0, seenElsewhere = 0;
            new FashionMlp().Fit(data, new FitOptions
            {
                Epochs = 1, Threads = 1,
                Progress = _ =>
                {
                    seenInside = Sgemm.MaxThreads;
                    var other = new System.Threading.Thread(() => seenElsewhere = Sgemm.MaxThreads);
                    other.Start();
                    other.Join();
                },
            });
            Assert.Equal(1, seenInside);
            Assert.Equal(2, seenElsewhere);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_scope_sets_the_calling_threads_count_nests_and_restores()
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            using (Sgemm.UseThreads(1))
            {
                Assert.Equal(1, Sgemm.MaxThreads);
                int elsewhere = 0;
                var other = new System.Threading.Thread(() => elsewhere = Sgemm.MaxThreads);
                other.Start();
                other.Join();
                Assert.Equal(2, elsewhere);
                using (Sgemm.UseThreads(3)) Assert.Equal(3, Sgemm.MaxThreads);
                Assert.Equal(1, Sgemm.MaxThreads);
                using (Sgemm.UseThreads(0)) Assert.Equal(2, Sgemm.MaxThreads); // 0: the process-wide value
                long products = SgemmParallel.ProductJobs;
                var a = new float[256 * 256];
                var c = new float[256 * 256];
                Sgemm.Multiply(false, false, 256, 256, 256, 1f, a, 256, a, 256, 0f, c, 256);
                Assert.Equal(products, SgemmParallel.ProductJobs); // one thread: not split
            }
            Assert.Equal(2, Sgemm.MaxThreads);
            Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.UseThreads(-1));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }
}
