using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>
/// The training checkpoint file of <see cref="FitOptions.CheckpointPath"/> (format version 1), little-endian:
/// <code>
/// magic "CMPLCKP1", version (int32 1)
/// the network: architecture signature (uint64, <see cref="WeightFile.Signature"/>), parameter count, state length (int32)
/// the run: epochs completed, stopped early (byte), the optimizer's rate when the first run started (float32),
///          batch size, shuffle (byte), seed (int64), training samples, augmentation (byte)
/// parameters then state (float32 each)
/// optimizer state (int32 length, then <see cref="Optimizer.SaveState"/>'s bytes)
/// random generators: dropout, shuffling, augmentation (each a byte "present", then 4 × uint64)
/// the shuffled order (int32 count, then int32 each)
/// schedule state (int32 count, then float64 each)
/// early stopping: best score (float64), epochs since the best, best epoch (int32), best snapshot (byte, then floats)
/// history: int32 count, then per epoch: epoch, epochs (int32), train loss, validation loss, validation accuracy,
///          seconds, learning rate, train accuracy, train evaluation loss (float64 each)
/// CRC-32 (IEEE 802.3) of every byte before it (uint32)
/// </code>
/// Read whole and checked before anything is restored: on an error the network, optimizer and schedule are as they were.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private static ReadOnlySpan<byte> Magic => "CMPLCKP1"u8;
    private const int Version = 1;

    public ulong Signature;
    public int ParameterCount, StateLength;
    public int Epoch;
    public bool Stopped;
    public float InitialRate;
    public int BatchSize;
    public bool Shuffle;
    public long Seed;
    public int TrainCount;
    public bool Augmentation;
    public float[] Weights = Array.Empty<float>();
    public byte[] Optimizer = Array.Empty<byte>();
    public ulong[]? DropoutRng, ShuffleRng, AugmentationRng;
    public int[] Order = Array.Empty<int>();
    public double[] Schedule = Array.Empty<double>();
    public double BestScore;
    public int SinceBest, BestEpoch;
    public float[]? Best;
    public List<EpochReport> History = new();

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, "training checkpoint", stream =>
    {
        var body = new MemoryStream();
        using (var w = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(Signature); w.Write(ParameterCount); w.Write(StateLength);
            w.Write(Epoch); w.Write(Stopped); w.Write(InitialRate);
            w.Write(BatchSize); w.Write(Shuffle); w.Write(Seed); w.Write(TrainCount); w.Write(Augmentation);
            w.Write(MemoryMarshal.AsBytes(Weights.AsSpan()));
            w.Write(Optimizer.Length); w.Write(Optimizer);
            WriteRng(w, DropoutRng); WriteRng(w, ShuffleRng); WriteRng(w, AugmentationRng);
            w.Write(Order.Length); w.Write(MemoryMarshal.AsBytes(Order.AsSpan()));
            w.Write(Schedule.Length); w.Write(MemoryMarshal.AsBytes(Schedule.AsSpan()));
            w.Write(BestScore); w.Write(SinceBest); w.Write(BestEpoch);
            w.Write(Best is not null);
            if (Best is not null) w.Write(MemoryMarshal.AsBytes(Best.AsSpan()));
            w.Write(History.Count);
            foreach (var e in History)
            {
                w.Write(e.Epoch); w.Write(e.Epochs);
                w.Write(e.TrainLoss); w.Write(e.ValidationLoss); w.Write(e.ValidationAccuracy); w.Write(e.Seconds);
                w.Write(e.LearningRate); w.Write(e.TrainAccuracy); w.Write(e.TrainEvaluationLoss);
            }
        }
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        stream.Write(bytes);
        Span<byte> crc = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.Final(Crc32.Update(Crc32.Initial, bytes)));
        stream.Write(crc);
    });

    private static void WriteRng(BinaryWriter w, ulong[]? state)
    {
        w.Write(state is not null);
        if (state is not null) foreach (ulong word in state) w.Write(word);
    }

    /// <summary>Reads and checks a checkpoint file; every problem is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not read the training checkpoint '{path}': {e.Message}", e);
        }
        if (bytes.Length < Magic.Length + 8 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a training checkpoint (it does not start with \"CMPLCKP1\").");
        uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        if (Crc32.Final(Crc32.Update(Crc32.Initial, bytes.AsSpan(0, bytes.Length - 4))) != stored)
            throw new InvalidDataException($"The training checkpoint '{path}' is damaged or truncated (its CRC-32 does not match).");
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 4, writable: false));
            r.ReadBytes(Magic.Length);
            int version = r.ReadInt32();
            if (version != Version)
                throw new InvalidDataException($"The training checkpoint '{path}' has format version {version}; this library reads version {Version}.");
            var c = new TrainingCheckpoint
            {
                Signature = r.ReadUInt64(), ParameterCount = Count(r), StateLength = Count(r),
                Epoch = Count(r), Stopped = r.ReadBoolean(), InitialRate = r.ReadSingle(),
                BatchSize = Count(r), Shuffle = r.ReadBoolean(), Seed = r.ReadInt64(), TrainCount = Count(r), Augmentation = r.ReadBoolean(),
            };
            c.Weights = Floats(r, checked(c.ParameterCount + c.StateLength));
            c.Optimizer = Bytes(r, Count(r));
            c.DropoutRng = ReadRng(r); c.ShuffleRng = ReadRng(r); c.AugmentationRng = ReadRng(r);
            c.Order = MemoryMarshal.Cast<byte, int>(Bytes(r, checked(4 * Count(r)))).ToArray();
            c.Schedule = MemoryMarshal.Cast<byte, double>(Bytes(r, checked(8 * Count(r)))).ToArray();
            c.BestScore = r.ReadDouble(); c.SinceBest = Count(r); c.BestEpoch = Count(r);
            if (r.ReadBoolean()) c.Best = Floats(r, c.Weights.Length);
            int epochs = Count(r);
            for (int i = 0; i < epochs; i++)
            {
                var report = new EpochReport(r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble())
                {
                    LearningRate = r.ReadDouble(), TrainAccuracy = r.ReadDouble(), TrainEvaluationLoss = r.ReadDouble(),
                };
                c.History.Add(report);
            }
            if (r.BaseStream.Position != r.BaseStream.Length)
                throw new InvalidDataException($"The training checkpoint '{path}' has {r.BaseStream.Length - r.BaseStream.Position} unexpected bytes after its history.");
            if (c.History.Count != c.Epoch)
                throw new InvalidDataException($"The training checkpoint '{path}' says {c.Epoch} epochs are done but holds {c.History.Count} epoch reports.");
            return c;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"The training checkpoint '{path}' ends in the middle of its contents.");
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"The training checkpoint '{path}': {e.Message}", e);
        }
    }

    /// <summary>A non-negative int32 (a count, an epoch, a size).</summary>
    private static int Count(BinaryReader r)
    {
        int value = r.ReadInt32();
        return value >= 0 ? value : throw new InvalidDataException($"a count or size is negative ({value}).");
    }

    /// <summary>Exactly <paramref name="length"/> bytes, refused before any allocation when fewer are left.</summary>
    private static byte[] Bytes(BinaryReader r, int length)
    {
        if (length > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
        return r.ReadBytes(length);
    }

    private static float[] Floats(BinaryReader r, int count) => MemoryMarshal.Cast<byte, float>(Bytes(r, checked(4 * count))).ToArray();

    private static ulong[]? ReadRng(BinaryReader r)
    {
        if (!r.ReadBoolean()) return null;
        var state = new ulong[4];
        for (int i = 0; i < 4; i++) state[i] = r.ReadUInt64();
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new InvalidDataException("a random generator's state is all zeros.");
        return state;
    }
}
