using System;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Scalers fitted on regression targets, and their inverse, against hand-computed values.</summary>
public sealed class TargetScalerTests
{
    private static Dataset Regression() =>
        new(new float[] { 0, 1, 2, 3 }, 1, new float[] { 10, 100, 20, 200, 30, 300, 40, 400 }, 2);

    [Fact]
    public void Standard_target_scaler_standardizes_each_column_and_inverts_exactly()
    {
        var data = Regression();
        var scaler = StandardScaler.FitTargets(data);
        // Column 0: mean 25, population sd √((225 + 25 + 25 + 225) / 4) = √125.
        Assert.Equal(25f, scaler.Mean[0]);
        Assert.Equal(MathF.Sqrt(125f), scaler.StdDev[0], 5);
        Assert.Equal(250f, scaler.Mean[1]);
        scaler.TransformTargets(data);
        Assert.Equal(-15 / MathF.Sqrt(125f), data.Targets[0], 5);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, data.Features); // features untouched

        var predictions = (float[])data.Targets.Clone();
        scaler.InverseTransform(predictions);
        var original = Regression().Targets;
        for (int i = 0; i < original.Length; i++) Assert.Equal(original[i], predictions[i], 3);
    }

    [Fact]
    public void MinMax_target_scaler_maps_to_0_1_and_back()
    {
        var data = Regression();
        var scaler = MinMaxScaler.FitTargets(data);
        scaler.TransformTargets(data);
        Assert.Equal(new float[] { 0, 0, 1f / 3, 1f / 3, 2f / 3, 2f / 3, 1, 1 }, data.Targets);
        scaler.InverseTransform(data.Targets);
        Assert.Equal(Regression().Targets, data.Targets);
    }

    [Fact]
    public void Inverse_transform_of_features_undoes_transform()
    {
        var data = new Dataset(new float[] { 1, 5, 3, 9, 2, 4 }, 2, new float[] { 0, 1, 0 }, 1);
        var scaler = StandardScaler.Fit(data);
        var row = new float[] { 2.5f, 7f };
        scaler.Transform(row);
        scaler.InverseTransform(row);
        Assert.Equal(2.5f, row[0], 5);
        Assert.Equal(7f, row[1], 5);
        Assert.Throws<ArgumentException>(() => scaler.InverseTransform(new float[3]));
        Assert.Throws<ArgumentException>(() => StandardScaler.FitTargets(Regression()).TransformTargets(data));
    }
}
