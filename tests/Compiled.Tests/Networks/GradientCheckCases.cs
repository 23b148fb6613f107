using System.Collections.Generic;

namespace Compiled.Tests.Networks;

/// <summary>Every gradient-check network, with a factory.</summary>
internal static class GradientCheckCases
{
    public static readonly IReadOnlyDictionary<string, System.Func<INetwork>> All = new Dictionary<string, System.Func<INetwork>>
    {
        ["GradMseIdentity"] = () => new GradMseIdentity(),
        ["GradMseSigmoid"] = () => new GradMseSigmoid(),
        ["GradMseTanh"] = () => new GradMseTanh(),
        ["GradMseReLU"] = () => new GradMseReLU(),
        ["GradMseLeakyReLU"] = () => new GradMseLeakyReLU(),
        ["GradMseELU"] = () => new GradMseELU(),
        ["GradMseSoftplus"] = () => new GradMseSoftplus(),
        ["GradMseSwish"] = () => new GradMseSwish(),
        ["GradMseSoftmax"] = () => new GradMseSoftmax(),
        ["GradBceIdentity"] = () => new GradBceIdentity(),
        ["GradBceSigmoid"] = () => new GradBceSigmoid(),
        ["GradBceTanh"] = () => new GradBceTanh(),
        ["GradBceReLU"] = () => new GradBceReLU(),
        ["GradBceLeakyReLU"] = () => new GradBceLeakyReLU(),
        ["GradBceELU"] = () => new GradBceELU(),
        ["GradBceSoftplus"] = () => new GradBceSoftplus(),
        ["GradBceSwish"] = () => new GradBceSwish(),
        ["GradBceSoftmax"] = () => new GradBceSoftmax(),
        ["GradSceIdentity"] = () => new GradSceIdentity(),
        ["GradSceSigmoid"] = () => new GradSceSigmoid(),
        ["GradSceTanh"] = () => new GradSceTanh(),
        ["GradSceReLU"] = () => new GradSceReLU(),
        ["GradSceLeakyReLU"] = () => new GradSceLeakyReLU(),
        ["GradSceELU"] = () => new GradSceELU(),
        ["GradSceSoftplus"] = () => new GradSceSoftplus(),
        ["GradSceSwish"] = () => new GradSceSwish(),
        ["GradSceSoftmax"] = () => new GradSceSoftmax(),
        ["GradMultiLabelIdentity"] = () => new GradMultiLabelIdentity(),
        ["GradMultiLabelSigmoid"] = () => new GradMultiLabelSigmoid(),
        ["GradMultiLabelTanh"] = () => new GradMultiLabelTanh(),
        ["GradMultiLabelReLU"] = () => new GradMultiLabelReLU(),
        ["GradMultiLabelLeakyReLU"] = () => new GradMultiLabelLeakyReLU(),
        ["GradMultiLabelELU"] = () => new GradMultiLabelELU(),
        ["GradMultiLabelSoftplus"] = () => new GradMultiLabelSoftplus(),
        ["GradMultiLabelSwish"] = () => new GradMultiLabelSwish(),
        ["GradMultiLabelSoftmax"] = () => new GradMultiLabelSoftmax(),
        ["GradSceSoftmaxOutput"] = () => new GradSceSoftmaxOutput(),
        ["GradBceSigmoidOutput"] = () => new GradBceSigmoidOutput(),
        ["GradMultiLabelSigmoidOutput"] = () => new GradMultiLabelSigmoidOutput(),
        ["GradMseSigmoidOutput"] = () => new GradMseSigmoidOutput(),
        ["GradSceActivationLayers"] = () => new GradSceActivationLayers(),
        ["GradMseActivationLayers"] = () => new GradMseActivationLayers(),
        ["GradBceActivationLayers"] = () => new GradBceActivationLayers(),
    };
}
