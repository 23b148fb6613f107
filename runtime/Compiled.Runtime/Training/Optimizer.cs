using System;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// Updates a network's parameters from their gradients. An optimizer keeps per-parameter state
/// (moments), so use one optimizer instance per network.
/// </summary>
/// <remarks>
/// The built-in optimizers (<see cref="Sgd"/>, <see cref="AdaGrad"/>, <see cref="RmsProp"/>, <see cref="Adam"/>,
/// <see cref="AdamW"/>) update the one parameter buffer element by element with SIMD and allocate nothing after
/// their first step; buffers of at least <see cref="ParallelThreshold"/> parameters are split over several threads,
/// and from 65,536 parameters over the SGEMM workers while a training step keeps them awake, with the same result. Their
/// state can be saved with <see cref="SaveState"/> and restored with <see cref="LoadState"/>, so training
/// resumed from the weights and the optimizer state continues exactly as an uninterrupted run.
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;

    private static volatile int s_parallelThreshold = 1 << 21;

    /// <summary>
    /// Buffers of at least this many parameters (default 2²¹ = 2,097,152) are updated on up to
    /// <see cref="Kernels.Sgemm.MaxThreads"/> threads, in contiguous chunks; the result is bit-identical whatever the
    /// thread count. A step is a pass over memory. Measured on the project's 2-core VM (docs/optimizers.md) with the
    /// other core free, a second thread made steps 1.9–2.1× faster at 2M parameters (the buffers partly in the L3
    /// cache) and 1.1–1.2× faster from 10M to 50M (one thread already draws most of the memory bandwidth); with the
    /// other core busy it gained nothing and could lose (0.6× for plain SGD at 10M). <see cref="int.MaxValue"/> turns
    /// threading off, as does
    /// <see cref="Kernels.Sgemm.MaxThreads"/> = 1. Process-wide; takes effect on the next step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int ParallelThreshold
    {
        get => s_parallelThreshold;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The threshold is a parameter count of at least 1; int.MaxValue turns threading off.");
            s_parallelThreshold = value;
        }
    }

    /// <summary>Creates an optimizer with the given step size.</summary>
    protected Optimizer(float learningRate)
    {
        LearningRate = learningRate;
        _isLibraryOptimizer = GetType().Assembly == typeof(Optimizer).Assembly;
    }

    /// <summary>The step size; may be changed between steps (a schedule).</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!IsValidLearningRate(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be a positive finite number, such as 0.001.");
            _learningRate = value;
        }
    }

    private static bool IsValidLearningRate(float value) => value > 0 && !float.IsInfinity(value);

    /// <summary>Returns <paramref name="value"/> if it lies in [0, 1) (a momentum or a decay rate), else throws with <paramref name="fix"/>.</summary>
    private protected static float Fraction(float value, string name, string fix) =>
        value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, fix);

    /// <summary>Returns <paramref name="value"/> if it is finite and ≥ 0 (a weight decay), else throws with <paramref name="fix"/>.</summary>
    private protected static float NonNegative(float value, string name, string fix) =>
        value >= 0 && !float.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, fix);

    /// <summary>Returns <paramref name="value"/> if it is above 0 (an ε), else throws with <paramref name="fix"/>.</summary>
    private protected static float Positive(float value, string name, string fix) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, fix);

    /// <summary>The message for a bad weight decay, shared by every optimizer that has one.</summary>
    private protected const string WeightDecayFix = "Weight decay must be a finite number ≥ 0, such as 1e-4 (0 turns it off).";

    /// <summary>Number of steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update: <paramref name="parameters"/> move against <paramref name="gradients"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"There are {parameters.Length} parameters but {gradients.Length} gradients.", nameof(gradients));
        if (_clipValue > 0 || _clipNorm > 0) gradients = Clip(gradients);
        StepCount++;
        Update(parameters, gradients, StepCount);
    }

    private float _clipNorm, _clipValue;
    private float[] _clipped = Array.Empty<float>();

    /// <summary>
    /// Gradient clipping by global norm (0, the default: off). Before each step, when the gradient's L2 norm
    /// ‖g‖ over all parameters exceeds ClipNorm, the step uses g·ClipNorm/(‖g‖ + 1e-6) instead (PyTorch's
    /// clip_grad_norm_). The network's gradient buffer is left as it was; a copy is clipped (allocated once).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public float ClipNorm
    {
        get => _clipNorm;
        set => _clipNorm = NonNegative(value, nameof(ClipNorm), "ClipNorm must be a finite number ≥ 0, such as 1 (0 turns clipping off).");
    }

    /// <summary>
    /// Gradient clipping by value (0, the default: off): every gradient is clamped to [−ClipValue, ClipValue]
    /// before the step (PyTorch's clip_grad_value_), before any <see cref="ClipNorm"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public float ClipValue
    {
        get => _clipValue;
        set => _clipValue = NonNegative(value, nameof(ClipValue), "ClipValue must be a finite number ≥ 0, such as 5 (0 turns clipping off).");
    }

    /// <summary>The clipped copy of <paramref name="gradients"/>: by value, then by global norm.</summary>
    private ReadOnlySpan<float> Clip(ReadOnlySpan<float> gradients)
    {
        if (_clipped.Length != gradients.Length) _clipped = new float[gradients.Length];
        var g = _clipped.AsSpan();
        gradients.CopyTo(g);
        if (_clipValue > 0)
            for (int i = 0; i < g.Length; i++) g[i] = Math.Clamp(g[i], -_clipValue, _clipValue);
        if (_clipNorm > 0)
        {
            double squares = 0;
            foreach (float v in g) squares += (double)v * v;
            double norm = Math.Sqrt(squares);
            if (norm > _clipNorm)
            {
                float scale = (float)(_clipNorm / (norm + 1e-6));
                for (int i = 0; i < g.Length; i++) g[i] *= scale;
            }
        }
        return g;
    }

    /// <summary>
    /// Applies one update unless a gradient is NaN or infinite: then nothing changes (parameters,
    /// moments, <see cref="StepCount"/>) and it returns false. One extra read of the gradients, which
    /// keeps a single overflow from poisoning every weight and the optimizer's state.
    /// </summary>
    public bool TryStep(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (CanFuseFiniteCheck(parameters.Length, gradients.Length))
        {
            // The check runs inside the update's job (UpdateAll), on the same threads, before any element changes.
            _finiteCheck = FiniteCheck.Pending;
            FiniteCheck outcome;
            try
            {
                Step(parameters, gradients);
            }
            finally
            {
                outcome = _finiteCheck;
                _finiteCheck = FiniteCheck.None;
            }
            if (outcome == FiniteCheck.Failed)
            {
                StepCount--;   // nothing else changed: the state arrays exist already, the per-step values are set anew each step
                return false;
            }
            return true;
        }
        if (!AllFinite(gradients)) return false;
        Step(parameters, gradients);
        return true;
    }

    /// <summary>Where the finite check of a fused <see cref="TryStep"/> stands.</summary>
    private enum FiniteCheck : byte { None, Pending, Failed }

    private FiniteCheck _finiteCheck;

    /// <summary>One of this library's optimizers (whose <see cref="Update"/> ends in <see cref="UpdateAll"/>), not a user's subclass.</summary>
    private readonly bool _isLibraryOptimizer;

    /// <summary>
    /// Whether <see cref="TryStep"/> may leave its finite check to <see cref="UpdateAll"/>: a library optimizer past its
    /// first step (its state arrays exist, so a skipped step changes nothing but the count it takes back), without
    /// clipping (which reads the gradients first), on a buffer the SGEMM workers may share.
    /// </summary>
    private bool CanFuseFiniteCheck(int parameters, int gradients) =>
        _isLibraryOptimizer && StepCount > 0 && _clipValue == 0 && _clipNorm == 0 && parameters == gradients
        && parameters >= SplitMinimum && parameters < ParallelThreshold && Kernels.Sgemm.MaxThreads >= 2;

    /// <summary>True when no value is NaN or ±∞: x − x is 0 for every finite x and NaN otherwise, and NaN survives the sum.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            // Four independent accumulators, so the adds do not wait on each other: a pass at memory speed.
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            int v = 0;
            for (; v <= vectors.Length - 4; v += 4)
            {
                a0 += vectors[v] - vectors[v];
                a1 += vectors[v + 1] - vectors[v + 1];
                a2 += vectors[v + 2] - vectors[v + 2];
                a3 += vectors[v + 3] - vectors[v + 3];
            }
            for (; v < vectors.Length; v++) a0 += vectors[v] - vectors[v];
            if (!float.IsFinite(Vector.Sum((a0 + a1) + (a2 + a3)))) return false;
            i = vectors.Length * Vector<float>.Count;
        }
        float tail = 0;
        for (; i < values.Length; i++) tail += values[i] - values[i];
        return tail == 0;
    }

    /// <summary>The update rule; <paramref name="step"/> counts from 1.</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);

    /// <summary>
    /// Returns this optimizer's state buffer of <paramref name="length"/> floats, allocating it on the
    /// first step (warm-up) and refusing a change of size: one optimizer serves one network.
    /// </summary>
    protected internal static float[] State(ref float[]? state, int length)
    {
        if (state is null) return state = new float[length];
        if (state.Length != length)
            throw new InvalidOperationException($"This optimizer was used with {state.Length} parameters and now with {length}: create one optimizer per network.");
        return state;
    }

    /// <summary>
    /// Runs <see cref="UpdateChunk"/> over the whole buffer: on the calling thread, or for a buffer of at least
    /// <see cref="ParallelThreshold"/> parameters, in contiguous chunks on several threads. The per-step
    /// values (bias corrections, state arrays) must be in fields before the call.
    /// </summary>
    private protected void UpdateAll(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (_finiteCheck == FiniteCheck.Pending)
        {
            // TryStep left the finite check to us: in the workers' job when they are awake, else here, first.
            if (TryUpdateOnProductWorkers(parameters, gradients, checkFinite: true)) return;
            if (!AllFinite(gradients))
            {
                _finiteCheck = FiniteCheck.Failed;
                return;
            }
            _finiteCheck = FiniteCheck.None;
        }
        if (parameters.Length >= ParallelThreshold && OptimizerThreads.TryRun(this, parameters, gradients)) return;
        if (parameters.Length >= SplitMinimum && TryUpdateOnProductWorkers(parameters, gradients, checkFinite: false)) return;
        UpdateChunk(parameters, gradients, 0);
    }

    /// <summary>
    /// Buffers from this many parameters to <see cref="ParallelThreshold"/> are split over the SGEMM workers when they
    /// are still awake from the step's products (a training step: backward's products end microseconds before the
    /// update). An Adam step over 100,000 parameters takes about 25 µs on one Zen 5 core, so two threads save more than
    /// the hand-over costs; below this, one thread finishes first.
    /// </summary>
    internal const int SplitMinimum = 1 << 16;

    /// <summary>
    /// Parameters per part of a split update: one contiguous part per thread (the caller, which claims first, takes the
    /// first), a multiple of <see cref="OptimizerThreads.ChunkAlignment"/>. Contiguous halves rather than small parts
    /// for locality: the step's weight-gradient products write the gradient buffer in row bands, one per thread in the
    /// same order (SgemmParallel), and the first layer's forward product packs its weights from the same halves, so each
    /// thread finds its part in its own cache.
    /// </summary>
    internal static int SplitPart(int length, int threads)
    {
        long perThread = ((long)length + threads - 1) / threads, alignment = OptimizerThreads.ChunkAlignment;
        return (int)((perThread + alignment - 1) / alignment * alignment);
    }

    private unsafe struct SplitJob
    {
        public nint Optimizer; // a GCHandle to this optimizer
        public float* Parameters, Gradients;
        public int Length;
        public int PartLength;   // parameters per part (the last may be shorter)
        public int CheckParts;   // 0, or the number of parts (first in claim order) that check the gradients
        public int Checked;      // check parts finished
        public int NonFinite;    // 1 once a check part has met a NaN or ±∞
    }

    /// <summary>
    /// Part p of <see cref="TryUpdateOnProductWorkers"/>. With checking, parts below <c>CheckParts</c> check the
    /// gradients of range p and the others update range p − <c>CheckParts</c>, after every check has finished and
    /// only if all found finite values; without, part p updates range p. Range r: parameters [r · PartLength,
    /// (r + 1) · PartLength).
    /// </summary>
    private static unsafe void UpdatePart(void* arguments, int part)
    {
        ref SplitJob job = ref System.Runtime.CompilerServices.Unsafe.AsRef<SplitJob>(arguments);
        if (job.CheckParts > 0)
        {
            if (part < job.CheckParts)
            {
                int start = part * job.PartLength;
                if (!AllFinite(new ReadOnlySpan<float>(job.Gradients + start, Math.Min(job.PartLength, job.Length - start))))
                    System.Threading.Volatile.Write(ref job.NonFinite, 1);
                System.Threading.Interlocked.Increment(ref job.Checked);
                return;
            }
            part -= job.CheckParts;
            // Parts are claimed in order, so every check part has a thread already: wait for the last ones to end.
            var spinner = new System.Threading.SpinWait();
            while (System.Threading.Volatile.Read(ref job.Checked) < job.CheckParts) spinner.SpinOnce(sleep1Threshold: -1);
            if (System.Threading.Volatile.Read(ref job.NonFinite) != 0) return;
        }
        var optimizer = (Optimizer)System.Runtime.InteropServices.GCHandle.FromIntPtr(job.Optimizer).Target!;
        int offset = part * job.PartLength, length = Math.Min(job.PartLength, job.Length - offset);
        optimizer.UpdateChunk(new Span<float>(job.Parameters + offset, length), new ReadOnlySpan<float>(job.Gradients + offset, length), offset);
    }

    /// <summary>
    /// The update in parts of <see cref="SplitPart"/> parameters (one per thread) on the calling thread and the SGEMM workers, or false
    /// (nothing done) when they are busy or asleep. Each element is updated once by the code one thread would run, so
    /// the result is the same bits. With <paramref name="checkFinite"/>, the same job first checks the gradients in
    /// parts (one read of them shared by the threads, instead of a pass on the caller's alone) and updates nothing if
    /// one is NaN or infinite, recording the outcome for <see cref="TryStep"/>.
    /// </summary>
    private unsafe bool TryUpdateOnProductWorkers(Span<float> parameters, ReadOnlySpan<float> gradients, bool checkFinite)
    {
        if (Kernels.Sgemm.MaxThreads < 2) return false;
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(this);
        try
        {
            fixed (float* p = parameters)
            fixed (float* g = gradients)
            {
                int partLength = SplitPart(parameters.Length, Kernels.Sgemm.MaxThreads);
                int parts = (parameters.Length + partLength - 1) / partLength;
                var job = new SplitJob
                {
                    Optimizer = System.Runtime.InteropServices.GCHandle.ToIntPtr(handle), Parameters = p, Gradients = g,
                    Length = parameters.Length, PartLength = partLength, CheckParts = checkFinite ? parts : 0,
                };
                if (!Kernels.SgemmParallel.TryRunParts(checkFinite ? 2 * parts : parts, &UpdatePart, &job)) return false;
                if (checkFinite) _finiteCheck = job.NonFinite != 0 ? FiniteCheck.Failed : FiniteCheck.None;
                return true;
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// The element-wise update of parameters <paramref name="offset"/> … <paramref name="offset"/> +
    /// <c>parameters.Length</c> − 1 of the buffer (the same range of every state array). Chunks start at
    /// multiples of <see cref="OptimizerThreads.ChunkAlignment"/>, so each element takes the same code path
    /// (vector body or scalar tail) whatever the thread count.
    /// </summary>
    private protected virtual void UpdateChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) =>
        throw new NotSupportedException($"{GetType().Name} does not update in chunks.");

    /// <summary>Runs <see cref="UpdateChunk"/> for <see cref="OptimizerThreads"/>.</summary>
    internal void RunChunk(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) => UpdateChunk(parameters, gradients, offset);

    // ---- State saved with the weights (format: OptimizerState.cs, docs/optimizers.md) ----

    /// <summary>The kind code written to state files, or 0 for an optimizer whose state cannot be saved.</summary>
    private protected virtual OptimizerKind Kind => OptimizerKind.None;

    /// <summary>Whether <see cref="SaveState"/> and <see cref="LoadState"/> work (one of the library's optimizers).</summary>
    internal bool CanSaveState => Kind != OptimizerKind.None;

    /// <summary>The fixed settings (all but the learning rate) in their documented order, as floats.</summary>
    private protected virtual float[] Settings() => Array.Empty<float>();

    /// <summary>The state arrays this configuration uses, in their documented order; an entry is null before the first step.</summary>
    private protected virtual float[]?[] Buffers() => Array.Empty<float[]?>();

    /// <summary>Replaces the state arrays (same order as <see cref="Buffers"/>; entries null for "not allocated yet").</summary>
    private protected virtual void SetBuffers(float[]?[] buffers) { }

    /// <summary>
    /// Writes this optimizer's state to <paramref name="stream"/>: its kind, learning rate and settings, the
    /// step count and the moment buffers, with a CRC-32 (the format is in docs/optimizers.md). Save it next to
    /// the weights (<see cref="WeightFile"/>) to resume training later with <see cref="LoadState"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer is not one of the library's (a custom subclass).</exception>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (Kind == OptimizerKind.None)
            throw new NotSupportedException($"{GetType().Name} does not save its state; only the library's optimizers (Sgd, AdaGrad, RmsProp, Adam, AdamW) do.");
        OptimizerState.Write(stream, Kind, LearningRate, Settings(), StepCount, Buffers());
    }

    /// <summary>
    /// Restores state written by <see cref="SaveState"/> into this optimizer, which must be of the same kind and
    /// created with the same settings (the learning rate, a schedule's value, is restored with the step count and
    /// the buffers). Everything is checked before anything changes: on an exception the optimizer is as it was.
    /// Reading stops after the checksum, so the state may be embedded in a longer stream.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The data is not optimizer state, is damaged or truncated, was saved by another kind of optimizer or with
    /// other settings, or holds buffers of another size than this optimizer already uses; the message says which.
    /// </exception>
    /// <exception cref="NotSupportedException">The optimizer is not one of the library's (a custom subclass).</exception>
    public void LoadState(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (Kind == OptimizerKind.None)
            throw new NotSupportedException($"{GetType().Name} does not load state; only the library's optimizers (Sgd, AdaGrad, RmsProp, Adam, AdamW) do.");
        var current = Buffers();
        var saved = OptimizerState.Read(stream, source, Kind, Settings(), current.Length);
        if (!IsValidLearningRate(saved.LearningRate))
            throw new InvalidDataException($"{source} holds the learning rate {saved.LearningRate}, which is not a positive finite number.");
        if (saved.StepCount < 0)
            throw new InvalidDataException($"{source} holds a negative step count ({saved.StepCount}).");
        foreach (var buffer in current)
            if (buffer is not null && saved.ParameterCount != 0 && buffer.Length != saved.ParameterCount)
                throw new InvalidDataException($"{source} holds state for {saved.ParameterCount} parameters but this optimizer already serves {buffer.Length}: load state into a fresh optimizer, one per network.");
        _learningRate = saved.LearningRate;
        StepCount = saved.StepCount;
        SetBuffers(saved.Buffers);
    }
}
