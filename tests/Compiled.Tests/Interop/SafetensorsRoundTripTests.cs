using System;
using System.IO;
using Compiled.Tests.Images;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>Export then import restores every parameter and state value, and so every prediction.</summary>
public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Mlp_round_trips() => RoundTrip(new TorchMlpInterop(seed: 1), new TorchMlpInterop(seed: 2));

    [Fact]
    public void Cnn_with_batch_norm_round_trips_its_running_statistics() => RoundTrip(Trained(new TorchBnCnn(seed: 1)), new TorchBnCnn(seed: 2));

    [Fact]
    public void Transposed_convolutions_round_trip() => RoundTrip(new ImgDeconv(seed: 1), new ImgDeconv(seed: 2));

    [Fact]
    public void Separable_convolutions_round_trip() => RoundTrip(new ImgSeparable(seed: 1), new ImgSeparable(seed: 2));

    [Fact]
    public void Save_and_load_through_a_file()
    {
        var source = Trained(new TorchBnCnn(seed: 3));
        var target = new TorchBnCnn(seed: 4);
        string path = Path.Combine(_dir, "cnn.safetensors");
        Safetensors.Save(path, source);
        Safetensors.Load(path, target);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal(source.State.ToArray(), target.State.ToArray());
        Assert.Equal(SafetensorsFiles.Export(source), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left beside it
    }

    [Fact]
    public void Save_into_a_missing_directory_is_an_IOException_naming_the_file()
    {
        string path = Path.Combine(_dir, "missing", "net.safetensors");
        var e = Assert.Throws<IOException>(() => Safetensors.Save(path, new TinyBn()));
        Assert.Contains("Could not save safetensors to", e.Message);
        Assert.Contains(path, e.Message);
    }

    /// <summary>Moves <paramref name="target"/> to <paramref name="source"/>'s values through a file in memory and an unseekable stream.</summary>
    private static void RoundTrip(INetwork source, INetwork target)
    {
        Assert.NotEqual(source.Parameters.ToArray(), target.Parameters.ToArray());
        byte[] file = SafetensorsFiles.Export(source);
        Safetensors.Read(new UnseekableStream(file), target);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal(source.State.ToArray(), target.State.ToArray());
        Assert.Equal(file, SafetensorsFiles.Export(target));

        var inputs = new float[3 * source.InputSize];
        var rng = new Random(7);
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 2 - 1);
        float[] expected = new float[3 * source.OutputSize], actual = new float[3 * source.OutputSize];
        source.Predict(inputs, expected);
        target.Predict(inputs, actual);
        Assert.Equal(expected, actual);
    }

    /// <summary>A few training steps, so the running statistics are no longer their initial 0 and 1.</summary>
    private static T Trained<T>(T net) where T : INetwork
    {
        var rng = new Random(11);
        var inputs = new float[8 * net.InputSize];
        var targets = new float[8 * net.TargetSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)rng.NextDouble();
        for (int i = 0; i < targets.Length; i++) targets[i] = (float)rng.NextDouble();
        var optimizer = new Sgd(0.01f);
        for (int step = 0; step < 3; step++) net.TrainStep(inputs, targets, optimizer);
        Assert.DoesNotContain(0f, net.State.ToArray());
        return net;
    }
}
