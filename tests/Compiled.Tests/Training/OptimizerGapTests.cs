using System;
using System.Buffers.Binary;
using System.IO;
using Compiled.Tests.Interop;
using Compiled.Tests.Serialization;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// What the optimizers' mutation run of 2026-11-25 (second session) found untested outside the update rules:
/// gradient clipping at and just above its bound (PyTorch's clip_grad_norm_ formula), <see cref="Optimizer.TryStep"/>'s
/// answer, <see cref="Optimizer.AllFinite"/> over every position of vector body, leftover vectors and tail, and saved
/// state: the settings of docs/optimizers.md named in mismatch messages, Nesterov as a setting, the truncated part
/// named on an unseekable stream, and the learning rate and step count checked.
/// </summary>
public sealed class OptimizerGapTests
{
    // ---- Clipping ----

    [Fact]
    public void Clip_norm_leaves_a_gradient_exactly_at_the_bound_alone()
    {
        // ‖(3, 4)‖ = 5 = ClipNorm: not above the bound, so SGD with η = 1 steps by the gradient itself, to the bit.
        var sgd = new Sgd(1f) { ClipNorm = 5f };
        var p = new float[2];
        sgd.Step(p, [3f, 4f]);
        Assert.Equal(new[] { -3f, -4f }, p);
    }

    [Fact]
    public void Clip_norm_scales_by_the_bound_over_the_norm_plus_1e6()
    {
        // PyTorch's clip_grad_norm_: g · max_norm / (‖g‖ + 1e-6), ‖(3, 4)‖ = 5, max_norm = 1.
        var sgd = new Sgd(1f) { ClipNorm = 1f };
        var p = new float[2];
        sgd.Step(p, [3f, 4f]);
        float scale = (float)(1.0 / (5.0 + 1e-6));
        Assert.Equal(new[] { -(3f * scale), -(4f * scale) }, p);
    }

    [Fact]
    public void Clip_settings_say_what_is_allowed()
    {
        var sgd = new Sgd();
        var norm = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipNorm = -1f);
        Assert.Equal("ClipNorm", norm.ParamName);
        Assert.Contains("ClipNorm must be a finite number ≥ 0", norm.Message);
        var value = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipValue = float.NaN);
        Assert.Equal("ClipValue", value.ParamName);
        Assert.Contains("ClipValue must be a finite number ≥ 0", value.Message);
    }

    // ---- TryStep and AllFinite ----

    [Fact]
    public void TryStep_says_whether_it_stepped()
    {
        var sgd = new Sgd(0.5f);
        var p = new float[] { 1f, 2f };
        Assert.True(sgd.TryStep(p, [2f, -2f]));
        Assert.Equal(new[] { 0f, 3f }, p);
        Assert.Equal(1, sgd.StepCount);
        Assert.False(sgd.TryStep(p, [float.NaN, 1f]));
        Assert.Equal(new[] { 0f, 3f }, p);
        Assert.Equal(1, sgd.StepCount);
    }

    [Theory]
    [InlineData(7)]   // scalar only
    [InlineData(37)]  // vectors and a tail
    [InlineData(40)]  // vectors in groups of four and one left over (with 8 lanes), no tail
    [InlineData(43)]  // leftover vectors and a tail
    [InlineData(131)]
    public void AllFinite_finds_a_non_finite_value_at_every_position(int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (i % 2 == 0 ? 1 : -1) * (i % 3 == 0 ? float.MaxValue : i * 0.5f);
        Assert.True(Optimizer.AllFinite(values));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int i = 0; i < n; i++)
            {
                float saved = values[i];
                values[i] = bad;
                Assert.False(Optimizer.AllFinite(values), $"{bad} at {i} of {n}");
                values[i] = saved;
            }
    }

    // ---- Saved state ----

    private static byte[] Saved(Optimizer optimizer, int parameters = 4)
    {
        optimizer.Step(new float[parameters], new float[] { 1f, -2f, 3f, -4f }.AsSpan(0, parameters));
        var stream = new MemoryStream();
        optimizer.SaveState(stream);
        return stream.ToArray();
    }

    private static string LoadFails(byte[] state, Optimizer into, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(state) : new UnseekableStream(state);
        return Assert.Throws<InvalidDataException>(() => into.LoadState(stream, "opt.state")).Message;
    }

    /// <summary>Pairs that differ in one setting only (same kind, same buffers): docs/optimizers.md's order and names.</summary>
    public static TheoryData<string, string> OneSettingApart() => new()
    {
        { "sgd momentum", "setting 1 (momentum) = 0.9, but this one has 0.5" },
        { "sgd nesterov", "setting 2 (nesterov) = 1, but this one has 0" },
        { "sgd not nesterov", "setting 2 (nesterov) = 0, but this one has 1" },
        { "sgd weight decay", "setting 3 (weightDecay) = 0.01, but this one has 0" },
        { "sgd form", "setting 4 (form) = 1, but this one has 0" },
        { "adam beta2", "setting 2 (beta2) = 0.99, but this one has 0.999" },
        { "adam epsilon", "setting 3 (epsilon) = 0.001, but this one has 1E-08" },
        { "adamw weight decay", "setting 4 (weightDecay) = 0.1, but this one has 0.01" },
        { "adagrad epsilon", "setting 1 (epsilon) = 0.001, but this one has 1E-10" },
        { "adagrad accumulator", "setting 2 (initialAccumulator) = 0.1, but this one has 0" },
        { "adagrad decay", "setting 3 (learningRateDecay) = 0.5, but this one has 0" },
        { "adagrad weight decay", "setting 4 (weightDecay) = 0.01, but this one has 0" },
        { "rmsprop alpha", "setting 1 (alpha) = 0.9, but this one has 0.99" },
        { "rmsprop epsilon", "setting 2 (epsilon) = 0.001, but this one has 1E-08" },
        { "rmsprop momentum", "setting 3 (momentum) = 0.9, but this one has 0.5" },
        { "rmsprop weight decay", "setting 5 (weightDecay) = 0.01, but this one has 0" },
    };

    private static (Optimizer Saved, Optimizer Loaded) Pair(string name) => name switch
    {
        "sgd momentum" => (new Sgd(momentum: 0.9f), new Sgd(momentum: 0.5f)),
        "sgd nesterov" => (new Sgd(momentum: 0.9f, nesterov: true), new Sgd(momentum: 0.9f)),
        "sgd not nesterov" => (new Sgd(momentum: 0.9f), new Sgd(momentum: 0.9f, nesterov: true)),
        "sgd weight decay" => (new Sgd(momentum: 0.9f, weightDecay: 0.01f), new Sgd(momentum: 0.9f)),
        "sgd form" => (new Sgd(momentum: 0.9f, form: MomentumForm.Sutskever), new Sgd(momentum: 0.9f)),
        "adam beta2" => (new Adam(beta2: 0.99f), new Adam()),
        "adam epsilon" => (new Adam(epsilon: 1e-3f), new Adam()),
        "adamw weight decay" => (new AdamW(weightDecay: 0.1f), new AdamW()),
        "adagrad epsilon" => (new AdaGrad(epsilon: 1e-3f), new AdaGrad()),
        "adagrad accumulator" => (new AdaGrad(initialAccumulator: 0.1f), new AdaGrad()),
        "adagrad decay" => (new AdaGrad(learningRateDecay: 0.5f), new AdaGrad()),
        "adagrad weight decay" => (new AdaGrad(weightDecay: 0.01f), new AdaGrad()),
        "rmsprop alpha" => (new RmsProp(alpha: 0.9f), new RmsProp()),
        "rmsprop epsilon" => (new RmsProp(epsilon: 1e-3f), new RmsProp()),
        "rmsprop momentum" => (new RmsProp(momentum: 0.9f), new RmsProp(momentum: 0.5f)),
        "rmsprop weight decay" => (new RmsProp(weightDecay: 0.01f), new RmsProp()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(OneSettingApart))]
    public void State_of_other_settings_is_refused_naming_the_setting(string pair, string expected)
    {
        var (saved, loaded) = Pair(pair);
        string message = LoadFails(Saved(saved), loaded);
        Assert.Contains(expected, message);
        Assert.Equal(0, loaded.StepCount); // nothing changed
    }

    [Fact]
    public void State_of_another_kind_names_both_kinds()
    {
        Assert.Contains("holds the state of Sgd, not of Adam", LoadFails(Saved(new Sgd(momentum: 0.9f)), new Adam()));
        Assert.Contains("holds the state of AdaGrad, not of RmsProp", LoadFails(Saved(new AdaGrad()), new RmsProp()));
        byte[] unknown = Saved(new Adam());
        BinaryPrimitives.WriteInt32LittleEndian(unknown.AsSpan(12), 9); // the kind field; checked before the CRC
        Assert.Contains("holds the state of an unknown optimizer (kind 9), not of Adam", LoadFails(unknown, new Adam()));
    }

    [Fact]
    public void State_with_another_setting_count_is_refused()
    {
        byte[] state = Saved(new Adam());
        BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(16), 5); // S, checked before the CRC
        Assert.Contains("opt.state holds 5 settings where Adam has 4: it is damaged or from another version", LoadFails(state, new Adam()));
    }

    [Theory]
    [InlineData(42, "settings")]  // 40-byte header, then Adam's 4 settings (16 bytes)
    [InlineData(60, "buffers")]   // m and v, 4 values each (32 bytes)
    [InlineData(90, "checksum")]  // 88 bytes before the CRC
    public void Truncated_state_on_an_unseekable_stream_names_the_part(int length, string part)
    {
        byte[] state = Saved(new Adam());
        Assert.Equal(40 + 16 + 32 + 4, state.Length);
        Assert.EndsWith($"is truncated: it ends inside the {part}.", LoadFails(state[..length], new Adam(), seekable: false));
    }

    /// <summary>The state with one header field changed and the CRC-32 recomputed (by the tests' own CRC).</summary>
    private static byte[] Patched(byte[] state, Action<byte[]> patch)
    {
        byte[] copy = (byte[])state.Clone();
        patch(copy);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), ReferenceCrc32.Of(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    [Fact]
    public void State_with_a_bad_learning_rate_or_step_count_is_refused()
    {
        byte[] state = Saved(new Adam());
        new Adam().LoadState(new MemoryStream(Patched(state, _ => { })), "opt.state"); // the repair alone keeps it valid
        foreach (float rate in new[] { 0f, -0.001f, float.PositiveInfinity, float.NaN })
        {
            byte[] bad = Patched(state, s => BinaryPrimitives.WriteSingleLittleEndian(s.AsSpan(36), rate));
            Assert.Contains("holds the learning rate", LoadFails(bad, new Adam()));
        }
        byte[] negative = Patched(state, s => BinaryPrimitives.WriteInt64LittleEndian(s.AsSpan(28), -1));
        Assert.Contains("opt.state holds a negative step count (-1).", LoadFails(negative, new Adam()));
    }

    [Fact]
    public void LoadState_checks_its_source_name_and_refuses_custom_optimizers()
    {
        byte[] state = Saved(new Adam());
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => new Adam().LoadState(new MemoryStream(state), null!)).ParamName);
        var custom = new HalfStep();
        Assert.Contains("HalfStep does not load state; only the library's optimizers", Assert.Throws<NotSupportedException>(() => custom.LoadState(new MemoryStream(state))).Message);
        Assert.Contains("HalfStep does not save its state", Assert.Throws<NotSupportedException>(() => custom.SaveState(new MemoryStream())).Message);
    }

    [Fact]
    public void Sgd_form_error_names_the_two_forms()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(form: (MomentumForm)2));
        Assert.Contains("MomentumForm.PyTorch or MomentumForm.Sutskever", e.Message);
    }

    /// <summary>A user's optimizer: p −= g/2.</summary>
    private sealed class HalfStep() : Optimizer(1f)
    {
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
        {
            for (int i = 0; i < parameters.Length; i++) parameters[i] -= gradients[i] / 2;
        }
    }
}

/// <summary>The process-wide threading threshold: alone, since every optimizer step reads it.</summary>
[Collection("Sgemm threading")]
public sealed class OptimizerThresholdGapTests
{
    [Fact]
    public void Threshold_defaults_to_2_to_the_21_and_accepts_any_count_from_1()
    {
        Assert.Equal(2_097_152, Optimizer.ParallelThreshold); // documented default, 2²¹
        try
        {
            Optimizer.ParallelThreshold = 1;
            Assert.Equal(1, Optimizer.ParallelThreshold);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.ParallelThreshold = 0);
            Assert.Equal(0, e.ActualValue);
            Assert.Contains("at least 1", e.Message);
            Assert.Equal(1, Optimizer.ParallelThreshold); // unchanged by the refused value
            Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.ParallelThreshold = -5);
        }
        finally
        {
            Optimizer.ParallelThreshold = 2_097_152;
        }
    }
}
