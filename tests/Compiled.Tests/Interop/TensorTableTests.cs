using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Images;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>The generated tensor tables: PyTorch's state_dict names and shapes, covering the buffers exactly once.</summary>
public sealed class TensorTableTests
{
    public static TheoryData<string> Networks => new(Create.Keys);

    private static readonly Dictionary<string, Func<INetwork>> Create = new()
    {
        ["TorchMlpInterop"] = () => new TorchMlpInterop(),
        ["TorchBnCnn"] = () => new TorchBnCnn(),
        ["TinyBn"] = () => new TinyBn(),
        ["TorchDeconvSep"] = () => new TorchDeconvSep(),
        ["ImgBatchNorm"] = () => new ImgBatchNorm(),
        ["ImgDeconv"] = () => new ImgDeconv(),
        ["ImgSeparable"] = () => new ImgSeparable(),
        ["ImgDepthwiseRect"] = () => new ImgDepthwiseRect(),
        ["TorchDeconvGroups"] = () => new TorchDeconvGroups(),
    };

    /// <summary>Every parameter and every state value belongs to exactly one tensor.</summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void Tensors_cover_parameters_and_state_exactly_once(string name)
    {
        var net = Create[name]();
        var parameters = new int[net.ParameterCount];
        var state = new int[net.State.Length];
        foreach (var tensor in net.Tensors)
        {
            if (tensor.Store == TensorStore.BatchCounter) continue;
            var counts = tensor.Store == TensorStore.Parameters ? parameters : state;
            for (int i = tensor.Offset; i < tensor.Offset + tensor.Count; i++) counts[i]++;
        }
        Assert.All(parameters, c => Assert.Equal(1, c));
        Assert.All(state, c => Assert.Equal(1, c));
        Assert.Equal(net.Tensors.Count, net.Tensors.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Batch_norm_cnn_has_the_state_dict_of_its_torch_model()
    {
        // state_dict() of the torch model in tests/fixtures/make_safetensors_fixtures.py, in order.
        Assert.Equal(new[]
        {
            "conv1.weight [4, 2, 3, 3]", "conv1.bias [4]",
            "batchnorm1.weight [4]", "batchnorm1.bias [4]", "batchnorm1.running_mean [4]", "batchnorm1.running_var [4]", "batchnorm1.num_batches_tracked []",
            "conv2.weight [6, 2, 3, 3]",
            "dense1.weight [5, 24]", "dense1.bias [5]",
            "batchnorm2.weight [5]", "batchnorm2.bias [5]", "batchnorm2.running_mean [5]", "batchnorm2.running_var [5]", "batchnorm2.num_batches_tracked []",
            "dense2.weight [3, 5]", "dense2.bias [3]",
        }, Describe(new TorchBnCnn()));
    }

    [Fact]
    public void Transposed_convolutions_are_stored_input_channels_first()
    {
        // ConvTranspose2d(in, out, k).weight is [in, out/groups, kH, kW].
        Assert.Equal(new[]
        {
            "conv1.weight [3, 2, 3, 3]", "conv1.bias [3]",
            "deconv1.weight [3, 2, 3, 3]", "deconv1.bias [2]",
            "deconv2.weight [2, 2, 2, 2]", "deconv2.bias [2]",
            "dense1.weight [3, 288]", "dense1.bias [3]",
        }, Describe(new ImgDeconv()));
        Assert.Equal(new[] { "deconv1.weight [4, 3, 3, 3]" }, Describe(new TorchDeconvGroups()));
    }

    [Fact]
    public void Separable_convolutions_are_a_depthwise_and_a_pointwise_module()
    {
        Assert.Equal(new[]
        {
            "sepconv1.depthwise.weight [6, 1, 3, 3]", "sepconv1.pointwise.weight [5, 6, 1, 1]", "sepconv1.pointwise.bias [5]",
            "sepconv2.depthwise.weight [5, 1, 2, 2]", "sepconv2.pointwise.weight [2, 5, 1, 1]",
            "dense1.weight [2, 8]", "dense1.bias [2]",
        }, Describe(new ImgSeparable()));
    }

    [Fact]
    public void Views_and_table_agree_on_where_each_tensor_is()
    {
        var net = new ImgSeparable();
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = i;
        var table = ImgSeparable.Tensors.ToDictionary(t => t.Name);
        Assert.Equal(net.Sepconv1DepthwiseWeights.ToArray(), Values(net, table["sepconv1.depthwise.weight"]));
        Assert.Equal(net.Sepconv1PointwiseWeights.ToArray(), Values(net, table["sepconv1.pointwise.weight"]));
        Assert.Equal(net.Sepconv1Bias.ToArray(), Values(net, table["sepconv1.pointwise.bias"]));
        Assert.Equal(net.Dense1Weights.ToArray(), Values(net, table["dense1.weight"]));

        var bn = new TorchBnCnn();
        for (int i = 0; i < bn.State.Length; i++) bn.State[i] = i;
        var bnTable = TorchBnCnn.Tensors.ToDictionary(t => t.Name);
        Assert.Equal(bn.Batchnorm2RunningVariance.ToArray(), bn.State.Slice(bnTable["batchnorm2.running_var"].Offset, 5).ToArray());
        Assert.Equal(bn.Batchnorm1RunningMean.ToArray(), bn.State.Slice(bnTable["batchnorm1.running_mean"].Offset, 4).ToArray());
    }

    [Fact]
    public void Table_cannot_be_changed_through_what_it_hands_out()
    {
        var tensor = TorchMlpInterop.Tensors[0];
        Assert.Throws<NotSupportedException>(() => ((IList<int>)tensor.Shape)[0] = 99);
        Assert.Throws<NotSupportedException>(() => ((IList<TensorInfo>)TorchMlpInterop.Tensors)[0] = tensor);
        Assert.Equal("dense1.weight [6, 4]", $"{tensor.Name} {tensor.ShapeText}");
    }

    private static float[] Values(INetwork net, TensorInfo tensor) => net.Parameters.Slice(tensor.Offset, tensor.Count).ToArray();

    private static string[] Describe(INetwork net) => net.Tensors.Select(t => $"{t.Name} {t.ShapeText}").ToArray();
}
