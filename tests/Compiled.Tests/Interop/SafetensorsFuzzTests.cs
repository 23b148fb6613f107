using System;
using System.IO;
using System.Linq;
using CsCheck;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>
/// Damaged exports (bytes flipped, cut, inserted, deleted): each read, from a seekable and an unseekable
/// stream, either loads exactly the tensors the test's own reading of the bytes finds, or throws
/// <see cref="InvalidDataException"/> and leaves the network as it was; never any other exception.
/// <c>COMPILED_FUZZ_ITER</c> sets a longer run.
/// </summary>
public sealed class SafetensorsFuzzTests
{
    private static long Iterations(long shortRun) =>
        long.TryParse(Environment.GetEnvironmentVariable("COMPILED_FUZZ_ITER"), out long n) && n > 0 ? n : shortRun;

    /// <summary>(kind, position as a fraction of the file, byte): flip, truncate, insert or delete.</summary>
    private static readonly Gen<(int Kind, double At, byte Value)[]> Damage =
        Gen.Select(Gen.Int[0, 3], Gen.Double[0, 1], Gen.Byte[1, 255]).Array[1, 3];

    private static byte[] Apply(byte[] file, (int Kind, double At, byte Value)[] damage)
    {
        var bytes = file.ToList();
        foreach (var (kind, at, value) in damage)
        {
            int i = Math.Min((int)(at * bytes.Count), bytes.Count - 1);
            switch (kind)
            {
                case 0: bytes[i] ^= value; break;
                case 1: bytes.RemoveRange(i, bytes.Count - i); break;
                case 2: bytes.Insert(i, value); break;
                default: bytes.RemoveAt(i); break;
            }
            if (bytes.Count == 0) break;
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Damaged_files_load_exactly_what_they_hold_or_are_refused_without_effect()
    {
        byte[] valid = SafetensorsFiles.Export(new TinyBn(seed: 1));
        Damage.Sample(damage =>
        {
            byte[] file = Apply(valid, damage);
            foreach (bool seekable in new[] { true, false })
            {
                var net = new TinyBn(seed: 2);
                float[] parameters = net.Parameters.ToArray(), state = net.State.ToArray();
                try
                {
                    Safetensors.Read(seekable ? new MemoryStream(file) : new UnseekableStream(file), net);
                }
                catch (InvalidDataException)
                {
                    Assert.Equal(parameters, net.Parameters.ToArray());
                    Assert.Equal(state, net.State.ToArray());
                    continue;
                }
                // Loaded: every float tensor of the network is the one the bytes hold under its name.
                var held = SafetensorsFiles.Tensors(file);
                var exported = SafetensorsFiles.Tensors(SafetensorsFiles.Export(net));
                foreach (var (name, tensor) in exported)
                    if (tensor.DType == "F32") Assert.Equal(held[name].Bytes, tensor.Bytes);
            }
        }, iter: Iterations(3000), threads: 1);
    }
}
