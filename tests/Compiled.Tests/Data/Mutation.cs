using System;
using System.Buffers.Binary;
using CsCheck;

namespace Compiled.Tests.Data;

/// <summary>The ways the fuzz tests damage a file.</summary>
internal enum MutationKind { Truncate, FlipByte, LieInHeader, Append }

/// <summary>
/// One damage to a file's bytes. <see cref="Position"/> and <see cref="Value"/> are raw random numbers,
/// reduced to the file at hand when applied, so one generator serves every file.
/// </summary>
internal readonly record struct Mutation(MutationKind Kind, int Position, uint Value)
{
    public static readonly Gen<Mutation> Gen =
        CsCheck.Gen.Select(CsCheck.Gen.Enum<MutationKind>(), CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.UInt,
            (kind, position, value) => new Mutation(kind, position, value));

    /// <summary>
    /// The damaged copy of <paramref name="bytes"/>. <paramref name="headerWords"/> is how many leading
    /// big-endian 32-bit words are header (IDX sizes); for other formats it is 0 and a lie is a flip.
    /// </summary>
    public byte[] Apply(byte[] bytes, int headerWords = 0)
    {
        byte[] copy = (byte[])bytes.Clone();
        switch (Kind)
        {
            case MutationKind.Truncate:
                return copy[..(Position % (copy.Length + 1))];
            case MutationKind.Append:
                byte[] longer = new byte[copy.Length + 1 + (int)(Value % 16)];
                copy.CopyTo(longer, 0);
                longer.AsSpan(copy.Length).Fill((byte)(Value >> 8));
                return longer;
            case MutationKind.LieInHeader when headerWords > 0 && copy.Length >= 4 * headerWords:
                // Half the lies are small (off by a little), half anything up to 2^32 − 1.
                uint lie = (Position & 1) == 0 ? Value % 64 : Value;
                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4 * (Position / 2 % headerWords)), lie);
                return copy;
            default:
                if (copy.Length == 0) return copy;
                copy[Position % copy.Length] ^= (byte)(Value | 1); // never a no-op
                return copy;
        }
    }
}

/// <summary>How long the property and fuzz tests run.</summary>
internal static class Fuzz
{
    /// <summary>
    /// Iterations per property: <paramref name="shortRun"/> by default, so the suite stays fast, or the
    /// value of the environment variable <c>COMPILED_FUZZ_ITER</c> for a longer run on demand
    /// (e.g. <c>COMPILED_FUZZ_ITER=100000 dotnet test --filter Fuzz</c>).
    /// </summary>
    public static long Iter(long shortRun) =>
        long.TryParse(Environment.GetEnvironmentVariable("COMPILED_FUZZ_ITER"), out long n) && n > 0 ? n : shortRun;
}
