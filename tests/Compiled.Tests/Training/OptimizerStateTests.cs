using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>Optimizer state saved and restored: resumed training continues bit for bit; damaged state is refused and changes nothing.</summary>
public sealed class OptimizerStateTests
{
    /// <summary>Every kind, with the options that add state buffers.</summary>
    private static readonly Func<Optimizer>[] Kinds =
    [
        () => new Sgd(0.05f),
        () => new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f),
        () => new Sgd(0.05f, momentum: 0.5f, form: MomentumForm.Sutskever),
        () => new AdaGrad(0.05f, initialAccumulator: 0.1f, learningRateDecay: 0.01f),
        () => new RmsProp(0.005f),
        () => new RmsProp(0.005f, momentum: 0.5f, centered: true, weightDecay: 1e-3f),
        () => new Adam(0.01f),
        () => new AdamW(0.01f, weightDecay: 0.1f),
    ];

    public static TheoryData<int> KindIndices() => new(Enumerable.Range(0, Kinds.Length));

    private static (float[] X, float[] T) Batch(int step)
    {
        var rng = new Rng((ulong)(100 + step));
        var x = new float[16 * RegressionNet.InputSize];
        var t = new float[16];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        for (int i = 0; i < t.Length; i++) t[i] = MathF.Sin(3 * x[2 * i]) * x[2 * i + 1];
        return (x, t);
    }

    private static void Train(RegressionNet net, Optimizer optimizer, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            if (step == 4) optimizer.LearningRate *= 0.5f;   // a schedule: the restored rate must be the current one
            var (x, t) = Batch(step);
            net.TrainStep(x, t, optimizer);
        }
    }

    /// <summary>
    /// A declared network trained 6 steps, against 3 steps, weights and optimizer state saved to streams, restored into
    /// a fresh network and a fresh optimizer, and 3 more steps: the parameters agree to the bit. (RegressionNet has no
    /// dropout, whose random masks are not part of the weights.)
    /// </summary>
    [Theory]
    [MemberData(nameof(KindIndices))]
    public void Resumed_training_continues_bit_for_bit(int kind)
    {
        var straight = new RegressionNet(seed: 3);
        Train(straight, Kinds[kind](), 0, 6);

        var first = new RegressionNet(seed: 3);
        var optimizer = Kinds[kind]();
        Train(first, optimizer, 0, 3);
        var weights = new MemoryStream();
        var state = new MemoryStream();
        first.Save(weights);
        optimizer.SaveState(state);

        var resumed = new RegressionNet(seed: 99);
        var restored = Kinds[kind]();
        weights.Position = 0;
        state.Position = 0;
        resumed.Load(weights);
        restored.LoadState(state);
        Assert.Equal(state.Length, state.Position);
        Assert.Equal(3, restored.StepCount);
        Train(resumed, restored, 3, 6);

        Assert.Equal(6, restored.StepCount);
        Assert.True(MemoryMarshal.AsBytes(straight.Parameters).SequenceEqual(MemoryMarshal.AsBytes(resumed.Parameters)), $"kind {kind}: resumed training differs");
        Assert.False(straight.Parameters.SequenceEqual(new RegressionNet(seed: 3).Parameters), "training moved nothing");
    }

    [Fact]
    public void The_learning_rate_and_step_count_are_restored_and_the_file_has_the_documented_size()
    {
        var adam = new Adam(0.01f);
        var p = new float[37];
        var g = Enumerable.Range(0, 37).Select(i => i * 0.1f - 1).ToArray();
        adam.Step(p, g);
        adam.LearningRate = 0.003f;
        var state = Saved(adam);
        Assert.Equal(40 + 4 * 4 + 4 * 2 * 37 + 4, state.Length);   // header, 4 settings, m and v, CRC

        var copy = new Adam(0.5f);
        copy.LoadState(new MemoryStream(state));
        Assert.Equal(0.003f, copy.LearningRate);
        Assert.Equal(1, copy.StepCount);
        Assert.Equal(state, Saved(copy));

        // State saved before the first step has no buffers and loads as a fresh optimizer.
        var fresh = Saved(new RmsProp(centered: true));
        Assert.Equal(40 + 4 * 5 + 4, fresh.Length);
        var rms = new RmsProp(centered: true);
        rms.Step(new float[3], new float[] { 1, 2, 3 });
        rms.LoadState(new MemoryStream(fresh));
        Assert.Equal(0, rms.StepCount);
        rms.Step(new float[5], new float[5]);   // no buffers any more: another size is welcome
    }

    private static byte[] Saved(Optimizer optimizer)
    {
        var stream = new MemoryStream();
        optimizer.SaveState(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Damaged_or_foreign_state_is_refused_and_changes_nothing()
    {
        var source = new Adam(0.01f, beta1: 0.8f);
        var p = new float[10];
        var g = Enumerable.Range(0, 10).Select(i => i - 4.5f).ToArray();
        source.Step(p, g);
        source.Step(p, g);
        byte[] good = Saved(source);

        var target = new Adam(0.02f, beta1: 0.8f);
        target.Step(new float[10], g);
        byte[] before = Saved(target);

        void Refused(byte[] bytes, string expected, Optimizer? into = null)
        {
            var optimizer = into ?? target;
            byte[] was = Saved(optimizer);
            var error = Assert.Throws<InvalidDataException>(() => optimizer.LoadState(new MemoryStream(bytes), "state.bin"));
            Assert.Contains(expected, error.Message);
            Assert.Contains("state.bin", error.Message);
            Assert.Equal(was, Saved(optimizer));
        }

        var flipped = (byte[])good.Clone();
        flipped[60] ^= 0x10;
        Refused(flipped, "checksum");
        Refused(good[..^1], "truncated");
        Refused(good[..^4], "ends inside the checksum");
        Refused(good[..50], "ends inside the settings and buffers");
        Refused(good[..20], "ends inside the header");
        var magic = (byte[])good.Clone();
        magic[0] = (byte)'X';
        Refused(magic, "not Compiled optimizer state");
        var version = (byte[])good.Clone();
        version[8] = 7;
        Refused(version, "version 7");
        var count = (byte[])good.Clone();
        count[27] = 0x80;   // parameter count negative
        Refused(count, "negative parameter count");

        Refused(Saved(new AdamW(0.01f, beta1: 0.8f)), "state of AdamW, not of Adam");
        Refused(good, "setting 1 (beta1) = 0.8", new Adam(0.01f));
        Refused(good, "state for 10 parameters but this optimizer already serves 3", Stepped(new Adam(0.01f, beta1: 0.8f), 3));
        Refused(Saved(Stepped(new Sgd(0.1f, momentum: 0.9f), 4)), "options", new Sgd(0.1f));
        Refused(Saved(Stepped(new RmsProp(centered: true), 4)), "2 state buffers where this RmsProp keeps 1", new RmsProp());

        Assert.Equal(before, Saved(target));
    }

    private static Optimizer Stepped(Optimizer optimizer, int n)
    {
        optimizer.Step(new float[n], Enumerable.Repeat(0.5f, n).ToArray());
        return optimizer;
    }

    [Fact]
    public void Adam_with_decoupled_decay_and_adamw_share_their_state()
    {
        var adam = Stepped(new Adam(0.01f, weightDecay: 0.1f, decoupledWeightDecay: true), 6);
        var adamW = new AdamW(0.01f, weightDecay: 0.1f);
        adamW.LoadState(new MemoryStream(Saved(adam)));
        Assert.Equal(Saved(adam), Saved(adamW));
    }

    [Fact]
    public void State_may_sit_inside_a_longer_stream()
    {
        var stream = new MemoryStream();
        var first = Stepped(new Sgd(0.1f, momentum: 0.9f), 5);
        var second = Stepped(new AdaGrad(), 7);
        first.SaveState(stream);
        second.SaveState(stream);
        stream.Position = 0;
        var a = new Sgd(0.1f, momentum: 0.9f);
        var b = new AdaGrad();
        a.LoadState(stream);
        b.LoadState(stream);
        Assert.Equal(stream.Length, stream.Position);
        Assert.Equal(Saved(first), Saved(a));
        Assert.Equal(Saved(second), Saved(b));
    }

    [Fact]
    public void Custom_optimizers_and_null_arguments_are_refused()
    {
        var custom = new ScriptedOptimizer(1f);
        Assert.Contains("only the library's optimizers", Assert.Throws<NotSupportedException>(() => custom.SaveState(new MemoryStream())).Message);
        Assert.Throws<NotSupportedException>(() => custom.LoadState(new MemoryStream()));
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => new Adam().SaveState(null!)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => new Adam().LoadState(null!)).ParamName);
    }
}
