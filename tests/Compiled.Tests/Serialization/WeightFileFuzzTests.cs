using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Compiled.Tests.Networks;
using CsCheck;
using Xunit;

namespace Compiled.Tests.Serialization;

/// <summary>
/// Property and fuzz tests of the weight-file reader. Short by default (well under a second each); set
/// <c>COMPILED_FUZZ_ITER</c> to an iteration count for a longer run, e.g. <c>COMPILED_FUZZ_ITER=200000</c>.
/// Every verdict is checked against <see cref="ReferenceReader"/>, a reading of docs/weight-format.md that
/// shares no code with the library.
/// </summary>
public sealed class WeightFileFuzzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The iteration count: <paramref name="shortRun"/>, or <c>COMPILED_FUZZ_ITER</c> when set.</summary>
    private static long Iterations(long shortRun) =>
        long.TryParse(Environment.GetEnvironmentVariable("COMPILED_FUZZ_ITER"), out long n) && n > 0 ? n : shortRun;

    private static uint[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>Any 32-bit pattern, NaN payloads, subnormals and −0 included: the format must carry them all.</summary>
    private static Gen<uint[]> ParameterBits(int count) => Gen.UInt.Array[count];

    private static byte[] Saved(INetwork net, uint[] bits)
    {
        for (int i = 0; i < bits.Length; i++) net.Parameters[i] = BitConverter.UInt32BitsToSingle(bits[i]);
        var stream = new MemoryStream();
        WeightFile.Write(stream, net);
        return stream.ToArray();
    }

    [Fact]
    public void Random_parameters_round_trip_bit_exactly_through_streams()
    {
        ParameterBits(TinyWeightsNet.ParameterCount).Sample(bits =>
        {
            byte[] file = Saved(new TinyWeightsNet(), bits);
            var loaded = new TinyWeightsNet(seed: 2);
            loaded.Load(new MemoryStream(file));
            Assert.Equal(bits, Bits(loaded.Parameters));
        }, iter: Iterations(2000), threads: 1);
    }

    [Fact]
    public void Random_parameters_round_trip_bit_exactly_through_files()
    {
        string path = Path.Combine(_dir, "round-trip.cmpl");
        ParameterBits(DigitsNet.ParameterCount).Sample(bits =>
        {
            var net = new DigitsNet(seed: 1);
            Saved(net, bits);
            net.Save(path);
            var loaded = new DigitsNet(seed: 2);
            loaded.Load(path);
            Assert.Equal(bits, Bits(loaded.Parameters));
        }, iter: Iterations(30), threads: 1);
    }

    [Fact]
    public void Mutated_small_files_are_loaded_only_when_valid_else_refused_without_effect() =>
        FuzzMutations(() => new TinyWeightsNet(seed: 3), TinyWeightsNet.ParameterCount, Iterations(3000));

    [Fact]
    public void Mutated_larger_files_are_loaded_only_when_valid_else_refused_without_effect() =>
        FuzzMutations(() => new DigitsNet(seed: 3), DigitsNet.ParameterCount, Iterations(150));

    /// <summary>
    /// Saves random parameters, mutates the bytes, and loads the result from a file, a seekable stream and
    /// a forward-only stream. Each must agree with <see cref="ReferenceReader"/>: load exactly the values
    /// it decodes, or throw <see cref="InvalidDataException"/> and leave the network as it was. A mutation
    /// that does not repair the checksum may only be loaded if it changed nothing.
    /// </summary>
    private void FuzzMutations<TNet>(Func<TNet> create, int count, long iterations) where TNet : INetwork
    {
        string path = Path.Combine(_dir, "mutated.cmpl");
        int length = 24 + 4 * count + 4;
        ulong signature = WeightFile.Signature(create().Architecture);
        Gen.Select(ParameterBits(count), Mutation.Gen(length, count)).Sample((bits, mutation) =>
        {
            byte[] original = Saved(create(), bits);
            byte[] mutated = mutation.Apply(original);
            File.WriteAllBytes(path, mutated);

            Check(mutated, exact: true, net => WeightFile.Load(path, net));
            Check(mutated, exact: false, net => WeightFile.Read(new MemoryStream(mutated), net));
            Check(mutated, exact: false, net => WeightFile.Read(new ForwardOnlyStream(mutated), net));

            void Check(byte[] bytes, bool exact, Action<INetwork> load)
            {
                var net = create();
                uint[] before = Bits(net.Parameters);
                bool expected = ReferenceReader.Accepts(bytes, count, signature, exact, out uint[] decoded);
                bool accepted;
                try
                {
                    load(net);
                    accepted = true;
                }
                catch (InvalidDataException)
                {
                    accepted = false;
                }
                Assert.Equal(expected, accepted);
                Assert.Equal(accepted ? decoded : before, Bits(net.Parameters));
                if (accepted && !mutation.RepairsChecksum)
                    Assert.Equal(original, exact ? bytes : bytes[..length]);
            }
        }, iter: iterations, threads: 1);
    }

    [Fact]
    public void Loading_never_allocates_much_more_than_the_file_s_size()
    {
        // The largest test network (≈ 0.8 MB of parameters), so that allocating for the count announced in
        // the header rather than for the bytes actually present would stand out.
        var net = new FashionMlp(seed: 1);
        var stream = new MemoryStream();
        net.Save(stream);
        byte[] original = stream.ToArray();
        string path = Path.Combine(_dir, "big.cmpl");
        File.WriteAllBytes(path, original);
        TryLoad(path, net); // warm up: first calls allocate for JIT and type loading

        int[] extremes = [int.MaxValue, int.MinValue, -1, 0, FashionMlp.ParameterCount + 1];
        Gen.Frequency<Mutation>(
            (2, Gen.Int[0, original.Length - 1].Select(at => (Mutation)new Mutation.Truncate(at))),
            (1, Gen.Select(Gen.OneOf(8, 20), Gen.OneOf(extremes), Gen.Bool)
                .Select((offset, value, repair) => (Mutation)new Mutation.SetHeaderInt(offset, value, repair)))
        ).Sample(mutation =>
        {
            byte[] mutated = mutation.Apply(original);
            File.WriteAllBytes(path, mutated);
            long allocated = TryLoad(path, net);
            // Two copies of the file (the staging buffer, at most one more) plus a constant for the
            // FileStream, the messages and the exception itself.
            Assert.True(allocated <= 2L * mutated.Length + 16 * 1024,
                $"loading a {mutated.Length}-byte file allocated {allocated} bytes");
        }, iter: Iterations(200), threads: 1);
    }

    private static long TryLoad(string path, INetwork net)
    {
        long start = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            WeightFile.Load(path, net);
        }
        catch (InvalidDataException)
        {
            // Refusing is fine; what it costs is the point.
        }
        return GC.GetAllocatedBytesForCurrentThread() - start;
    }
}

/// <summary>docs/weight-format.md as a predicate, written independently of <see cref="WeightFile"/>.</summary>
internal static class ReferenceReader
{
    /// <summary>
    /// Whether <paramref name="file"/> is a valid weight file for a network of <paramref name="count"/>
    /// parameters and architecture <paramref name="signature"/>; with <paramref name="exact"/> nothing may
    /// follow the checksum. <paramref name="bits"/> receives the parameters it holds.
    /// </summary>
    public static bool Accepts(byte[] file, int count, ulong signature, bool exact, out uint[] bits)
    {
        bits = [];
        int body = 24 + 4 * count;
        if (exact ? file.Length != body + 4 : file.Length < body + 4) return false;
        if (!file.AsSpan(0, 8).SequenceEqual("CMPLWGT1"u8)) return false;
        if (BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)) != 1) return false;
        if (BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(12)) != signature) return false;
        if (BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(20)) != count) return false;
        if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(body)) != ReferenceCrc32.Of(file.AsSpan(0, body))) return false;
        bits = Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(24 + 4 * i))).ToArray();
        return true;
    }
}

/// <summary>A stream that can only be read forward: no Length, no seeking, and short reads.</summary>
internal sealed class ForwardOnlyStream(byte[] data) : ForwardReadStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        // At most 7 bytes at a time, so readers must loop like they would over a pipe.
        int n = Math.Min(Math.Min(buffer.Length, 7), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
