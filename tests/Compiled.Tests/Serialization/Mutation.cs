using System;
using System.Buffers.Binary;
using System.Linq;
using CsCheck;

namespace Compiled.Tests.Serialization;

/// <summary>
/// One way of damaging a weight file, as a record so that CsCheck prints (and shrinks towards) the
/// smallest failing case.
/// </summary>
internal abstract record Mutation
{
    /// <summary>The damaged copy; <paramref name="file"/> itself is not changed.</summary>
    public abstract byte[] Apply(byte[] file);

    /// <summary>True when the result carries a correct checksum again, so it may be a valid file with other contents.</summary>
    public virtual bool RepairsChecksum => false;

    /// <summary>Header values chosen to break arithmetic: overflow, sign, zero and off-by-one.</summary>
    private static int[] Extremes(int count) => [int.MaxValue, int.MinValue, -1, 0, 1, 2, count - 1, count + 1, count, 0x3FFFFFFF, 0x40000000];

    /// <summary>Mutations of a <paramref name="length"/>-byte file holding <paramref name="count"/> parameters.</summary>
    public static Gen<Mutation> Gen(int length, int count) => CsCheck.Gen.Frequency<Mutation>(
        (1, CsCheck.Gen.Const<Mutation>(new Unchanged())),
        (4, CsCheck.Gen.Int[0, length - 1].Select(at => (Mutation)new Truncate(at))),
        (4, CsCheck.Gen.Select(CsCheck.Gen.Int[0, length - 1], CsCheck.Gen.Int[1, 255]).Array[1, 4].Select(flips => (Mutation)new FlipBytes(flips))),
        (3, CsCheck.Gen.Select(CsCheck.Gen.OneOf(8, 20), CsCheck.Gen.OneOf(Extremes(count)), CsCheck.Gen.Bool)
            .Select((offset, value, repair) => (Mutation)new SetHeaderInt(offset, value, repair))),
        (1, CsCheck.Gen.Select(CsCheck.Gen.ULong, CsCheck.Gen.Bool).Select((value, repair) => (Mutation)new SetSignature(value, repair))),
        (2, CsCheck.Gen.Select(CsCheck.Gen.Int[24, length - 5], CsCheck.Gen.Int[1, 255]).Select((at, xor) => (Mutation)new FlipParameterAndRepair(at, xor))),
        (2, CsCheck.Gen.Byte.Array[1, 16].Select(extra => (Mutation)new Append(extra))),
        (1, CsCheck.Gen.Select(CsCheck.Gen.Int[0, length], CsCheck.Gen.Byte).Select((at, value) => (Mutation)new Insert(at, value))),
        (1, CsCheck.Gen.Int[0, length - 1].Select(at => (Mutation)new Delete(at))));

    /// <summary>Recomputes the checksum of a file whose length is still that of <paramref name="original"/>.</summary>
    protected static void RepairChecksum(byte[] file)
    {
        int body = file.Length - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(body), ReferenceCrc32.Of(file.AsSpan(0, body)));
    }

    public sealed record Unchanged : Mutation
    {
        public override byte[] Apply(byte[] file) => (byte[])file.Clone();
    }

    public sealed record Truncate(int Length) : Mutation
    {
        public override byte[] Apply(byte[] file) => file[..Length];
    }

    public sealed record FlipBytes((int At, int Xor)[] Flips) : Mutation
    {
        public override byte[] Apply(byte[] file)
        {
            var copy = (byte[])file.Clone();
            foreach (var (at, xor) in Flips) copy[at] ^= (byte)xor;
            return copy;
        }

        public override string ToString() => $"FlipBytes {{ {string.Join(", ", Flips.Select(f => $"[{f.At}] ^= 0x{f.Xor:X2}"))} }}";
    }

    public sealed record SetHeaderInt(int Offset, int Value, bool Repair) : Mutation
    {
        public override bool RepairsChecksum => Repair;

        public override byte[] Apply(byte[] file)
        {
            var copy = (byte[])file.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(Offset), Value);
            if (Repair) RepairChecksum(copy);
            return copy;
        }
    }

    public sealed record SetSignature(ulong Value, bool Repair) : Mutation
    {
        public override bool RepairsChecksum => Repair;

        public override byte[] Apply(byte[] file)
        {
            var copy = (byte[])file.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(12), Value);
            if (Repair) RepairChecksum(copy);
            return copy;
        }
    }

    /// <summary>Changes a parameter and fixes the checksum: a valid file with other contents, which must load as such.</summary>
    public sealed record FlipParameterAndRepair(int At, int Xor) : Mutation
    {
        public override bool RepairsChecksum => true;

        public override byte[] Apply(byte[] file)
        {
            var copy = (byte[])file.Clone();
            copy[At] ^= (byte)Xor;
            RepairChecksum(copy);
            return copy;
        }
    }

    public sealed record Append(byte[] Extra) : Mutation
    {
        public override byte[] Apply(byte[] file) => [.. file, .. Extra];

        public override string ToString() => $"Append {{ {Convert.ToHexString(Extra)} }}";
    }

    public sealed record Insert(int At, byte Value) : Mutation
    {
        public override byte[] Apply(byte[] file) => [.. file[..At], Value, .. file[At..]];
    }

    public sealed record Delete(int At) : Mutation
    {
        public override byte[] Apply(byte[] file) => [.. file[..At], .. file[(At + 1)..]];
    }
}
