using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// What the Data mutation run of 2026-11-25 (second session) found untested: the argument checks of the public
/// constructors and entry points (each refused by name, not by a NullReferenceException later), row indices at
/// the edge, scalers built from known values, constant features, the median and most frequent value of unsorted
/// columns, and the k of cross-validation at both ends of its range. Expected values are worked out by hand.
/// </summary>
public sealed class DataGapTests
{
    private static Dataset Rows(int count, int features = 2) =>
        new(Enumerable.Range(0, count * features).Select(i => (float)i).ToArray(), features,
            Enumerable.Range(0, count).Select(i => (float)(i % 2)).ToArray(), 1);

    [Fact]
    public void Dataset_constructor_refuses_bad_arguments_by_name()
    {
        Assert.Equal("features", Assert.Throws<ArgumentNullException>(() => new Dataset(null!, 1, [0f], 1)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentNullException>(() => new Dataset([0f], 1, null!, 1)).ParamName);
        Assert.Equal("featureCount", Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset([0f], 0, [0f], 1)).ParamName);
        Assert.Equal("targetCount", Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset([0f], 1, [0f], 0)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => Dataset.FromLabels([0f], 1, null!)).ParamName);
    }

    [Fact]
    public void Row_indices_are_checked_at_both_ends()
    {
        var data = Rows(3);
        foreach (int bad in new[] { -1, 3 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.FeatureRow(bad));
            Assert.Equal("i", e.ParamName);
            Assert.Contains("Row index must be in [0, 3).", e.Message);
            Assert.Equal("i", Assert.Throws<ArgumentOutOfRangeException>(() => data.TargetRow(bad)).ParamName);
        }
        Assert.Equal(new[] { 0f }, data.TargetRow(2).ToArray());
        Assert.Equal(new[] { 4f, 5f }, data.FeatureRow(2).ToArray());
    }

    [Fact]
    public void Subset_refuses_the_row_count_itself_and_copies_targets_of_wide_rows()
    {
        var data = Rows(3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([0, 3]));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("indices[1] is 3, outside [0, 3).", e.Message);

        // Two target columns: row r holds targets 10r and 10r + 1.
        var wide = new Dataset([0f, 1f, 2f], 1, [0f, 1f, 10f, 11f, 20f, 21f], 2);
        var subset = wide.Subset([2, 0, 2]);
        Assert.Equal(new[] { 2f, 0f, 2f }, subset.Features);
        Assert.Equal(new[] { 20f, 21f, 0f, 1f, 20f, 21f }, subset.Targets);
    }

    [Fact]
    public void Split_needs_two_rows_and_a_fraction_strictly_inside_0_1()
    {
        var one = Rows(1);
        Assert.Contains("Cannot split a dataset of 1 rows into two non-empty parts.", Assert.Throws<InvalidOperationException>(() => one.Split(0.5, 0)).Message);
        // Two rows: one each way whatever the fraction.
        foreach (double fraction in new[] { 0.01, 0.5, 0.99 })
        {
            var (train, test) = Rows(2).Split(fraction, 3);
            Assert.Equal((1, 1), (train.Count, test.Count));
        }
        Assert.Contains("Must be strictly between 0 and 1.", Assert.Throws<ArgumentOutOfRangeException>(() => Rows(4).Split(1.0, 0)).Message);
        Assert.Contains("this dataset has 2 target columns", Assert.Throws<InvalidOperationException>(() => new Dataset([0f], 1, [0f, 1f], 2).Labels()).Message);
    }

    [Fact]
    public void Scaler_constructors_check_their_values()
    {
        Assert.Equal("min", Assert.Throws<ArgumentNullException>(() => new MinMaxScaler(null!, [1f])).ParamName);
        Assert.Equal("max", Assert.Throws<ArgumentNullException>(() => new MinMaxScaler([0f], null!)).ParamName);
        Assert.Contains("min has 2 values but max has 1.", Assert.Throws<ArgumentException>(() => new MinMaxScaler([0f, 0f], [1f])).Message);
        Assert.Contains("A scaler needs at least one feature.", Assert.Throws<ArgumentException>(() => new MinMaxScaler([], [])).Message);
        var below = Assert.Throws<ArgumentException>(() => new MinMaxScaler([0f, 5f, 0f], [1f, 5f, -1f]));
        Assert.Equal("max", below.ParamName);
        Assert.Contains("max[2] is -1, below min[2] = 0.", below.Message);
        Assert.Contains("max[0] is NaN", Assert.Throws<ArgumentException>(() => new MinMaxScaler([0f], [float.NaN])).Message);

        Assert.Equal("mean", Assert.Throws<ArgumentNullException>(() => new StandardScaler(null!, [1f])).ParamName);
        Assert.Equal("stdDev", Assert.Throws<ArgumentNullException>(() => new StandardScaler([0f], null!)).ParamName);
        Assert.Contains("mean has 1 values but stdDev has 2.", Assert.Throws<ArgumentException>(() => new StandardScaler([0f], [1f, 1f])).Message);
        Assert.Contains("A scaler needs at least one feature.", Assert.Throws<ArgumentException>(() => new StandardScaler([], [])).Message);
        var zero = Assert.Throws<ArgumentException>(() => new StandardScaler([0f, 0f], [1f, 0f]));
        Assert.Equal("stdDev", zero.ParamName);
        Assert.Contains("stdDev[1] is 0; it must be positive.", zero.Message);
    }

    [Fact]
    public void Scalers_refuse_null_and_empty_data()
    {
        var empty = new Dataset([], 1, [], 1);
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => MinMaxScaler.Fit(null!)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => MinMaxScaler.FitTargets(null!)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => StandardScaler.Fit(null!)).ParamName);
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => StandardScaler.FitTargets(null!)).ParamName);
        foreach (Func<Dataset, FeatureScaler> fit in new Func<Dataset, FeatureScaler>[] { MinMaxScaler.Fit, MinMaxScaler.FitTargets, StandardScaler.Fit, StandardScaler.FitTargets })
            Assert.Contains("Cannot fit a scaler on an empty dataset.", Assert.Throws<ArgumentException>(() => fit(empty)).Message);

        var scaler = new StandardScaler([1f, 2f], [2f, 4f]);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => scaler.Transform((Dataset)null!)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => scaler.TransformTargets(null!)).ParamName);
        var targets = Assert.Throws<ArgumentException>(() => scaler.TransformTargets(Rows(2)));
        Assert.Contains("The dataset has 1 targets but the scaler was fitted on 2 columns.", targets.Message);
        Assert.Contains("features has 3 values, not a multiple of the scaler's 2", Assert.Throws<ArgumentException>(() => scaler.Transform(new float[3].AsSpan())).Message);
        Assert.Contains("values has 3 values, not a multiple of the scaler's 2 columns.", Assert.Throws<ArgumentException>(() => scaler.InverseTransform(new float[3])).Message);
    }

    [Fact]
    public void A_constant_feature_maps_to_0_even_when_negative()
    {
        // Feature 0 is constant at −3; feature 1 runs −4, −2 (mean −3, population σ 1; range 2).
        var data = new Dataset([-3f, -4f, -3f, -2f], 2, [0f, 0f], 1);
        var standard = StandardScaler.Fit(data);
        Assert.Equal(new[] { -3f, -3f }, standard.Mean);
        Assert.Equal(new[] { 1f, 1f }, standard.StdDev);
        var x = new[] { -3f, -2f };
        standard.Transform(x.AsSpan());
        Assert.Equal(new[] { 0f, 1f }, x);

        var minMax = MinMaxScaler.Fit(data);
        var y = new[] { -3f, -2f };
        minMax.Transform(y.AsSpan());
        Assert.Equal(new[] { 0f, 1f }, y);
    }

    [Fact]
    public void Imputer_median_and_most_frequent_of_unsorted_columns()
    {
        // Column 0: 5, NaN, 1, 3 → median of {1, 3, 5} is 3. Column 1: 4, 1, 3, 2 → (2 + 3) / 2 = 2.5.
        var data = new Dataset([5f, 4f, float.NaN, 1f, 1f, 3f, 3f, 2f], 2, new float[4], 1);
        Assert.Equal(new[] { 3f, 2.5f }, Imputer.Fit(data, ImputeStrategy.Median).Transform(new Dataset([float.NaN, float.NaN], 2, [0f], 1)).Features);

        // 2, 1, 1, 2, 2, 3: 2 occurs three times, 1 twice.
        var frequent = new Dataset([2f, 1f, 1f, 2f, 2f, 3f, float.NaN], 1, new float[7], 1);
        Assert.Equal(new[] { 2f }, Imputer.Fit(frequent, ImputeStrategy.MostFrequent).Transform(new Dataset([float.NaN], 1, [0f], 1)).Features);
    }

    [Fact]
    public void Most_frequent_value_wins_over_an_earlier_shorter_run()
    {
        // Runs of 1, 2 and 3 values: 3 occurs most often.
        var data = new Dataset([1f, 2f, 2f, 3f, 3f, 3f], 1, new float[6], 1);
        Assert.Equal(new[] { 3f }, Imputer.Fit(data, ImputeStrategy.MostFrequent).Transform(new Dataset([float.NaN], 1, [0f], 1)).Features);
    }

    [Fact]
    public void Min_max_inverse_undoes_the_transform_of_a_constant_feature()
    {
        // Feature 0 was constant at 5 (range 0, divided by 1); feature 1 ran from 0 to 2.
        var scaler = new MinMaxScaler([5f, 0f], [5f, 2f]);
        var x = new[] { 7f, 1.5f };
        scaler.Transform(x.AsSpan());
        Assert.Equal(new[] { 2f, 0.75f }, x);
        scaler.InverseTransform(x);
        Assert.Equal(new[] { 7f, 1.5f }, x);
    }

    [Fact]
    public void Minibatches_carry_every_target_column()
    {
        // Row r: feature r, targets 10r and 10r + 1.
        var data = new Dataset([0f, 1f, 2f], 1, [0f, 1f, 10f, 11f, 20f, 21f], 2);
        var loader = new MinibatchLoader(data, 2, shuffle: false);
        loader.StartEpoch();
        Assert.True(loader.TryNext(out var first));
        Assert.Equal(new[] { 0f, 1f, 10f, 11f }, first.Targets.ToArray());
        Assert.True(loader.TryNext(out var second));
        Assert.Equal(new[] { 2f }, second.Features.ToArray());
        Assert.Equal(new[] { 20f, 21f }, second.Targets.ToArray());
        Assert.False(loader.TryNext(out _));
    }

    [Fact]
    public void Imputer_checks_its_arguments()
    {
        Assert.Equal("train", Assert.Throws<ArgumentNullException>(() => Imputer.Fit(null!)).ParamName);
        Assert.Contains("Cannot fit an imputer on an empty dataset.", Assert.Throws<ArgumentException>(() => Imputer.Fit(new Dataset([], 1, [], 1))).Message);
        Assert.Contains("fillValue is NaN; it must be a finite number.", Assert.Throws<ArgumentException>(() => Imputer.Fit(Rows(2), fillValue: float.NaN)).Message);
        var strategy = Assert.Throws<ArgumentOutOfRangeException>(() => Imputer.Fit(Rows(2), (ImputeStrategy)9));
        Assert.Equal("strategy", strategy.ParamName);
        Assert.Contains("Not an ImputeStrategy value.", strategy.Message);
        var imputer = Imputer.Fit(Rows(2));
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => imputer.Transform(null!)).ParamName);
        Assert.Contains("The dataset has 3 features but the imputer was fitted on 2.", Assert.Throws<ArgumentException>(() => imputer.Transform(Rows(2, 3))).Message);
    }

    [Fact]
    public void Minibatch_loader_checks_its_arguments()
    {
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => new MinibatchLoader(null!, 2)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MinibatchLoader(Rows(4), 0)).ParamName);
        // dropLast with a batch of exactly the row count is one batch; one more row than that is none.
        Assert.Equal(1, new MinibatchLoader(Rows(4), 4, dropLast: true).BatchCount);
        var e = Assert.Throws<ArgumentException>(() => new MinibatchLoader(Rows(4), 5, dropLast: true));
        Assert.Contains("batchSize 5 is larger than the dataset (4 rows): with dropLast there would be no batches.", e.Message);
        // Without dropLast, a count that divides evenly has no partial batch.
        Assert.Equal(2, new MinibatchLoader(Rows(4), 2).BatchCount);
        Assert.Contains("Call StartEpoch before TryNext.", Assert.Throws<InvalidOperationException>(() => new MinibatchLoader(Rows(4), 2).TryNext(out _)).Message);
    }

    [Fact]
    public void Cross_validation_k_runs_from_2_to_the_row_count()
    {
        var data = Rows(4);
        Assert.Equal(2, CrossValidation.KFold(data, 2, 1).Count);
        var loo = CrossValidation.KFold(data, 4, 1); // leave-one-out
        Assert.All(loo, f => Assert.Equal((3, 1), (f.Train.Count, f.Validation.Count)));
        Assert.Equal(4, CrossValidation.StratifiedKFold(data, 4, 1).Count);
        foreach (int bad in new[] { 1, 5 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.KFold(data, bad, 1));
            Assert.Equal("k", e.ParamName);
            Assert.Contains("k must be between 2 and the number of rows (4).", e.Message);
        }
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => CrossValidation.KFold(null!, 2, 1)).ParamName);
    }

    [Fact]
    public void Resampling_refuses_null_data()
    {
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => Resampling.Oversample(null!, 1)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => Resampling.Undersample(null!, 1)).ParamName);
    }

    [Fact]
    public void Image_augmentation_checks_shape_and_settings()
    {
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(0, 2, 2)).ParamName);
        Assert.Contains("Channels must be positive.", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(0, 2, 2)).Message);
        var height = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(1, 0, 2));
        Assert.Equal("height", height.ParamName);
        Assert.Contains("Height must be positive.", height.Message);
        var width = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmentation(1, 2, 0));
        Assert.Equal("width", width.ParamName);
        Assert.Contains("Width must be positive.", width.Message);

        var augmentation = new ImageAugmentation(1, 2, 3);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => augmentation.Apply(new float[6], 1, null!)).ParamName);
        Assert.Contains("images has 5 values: expected 1 images of 6 (1×2×3).", Assert.Throws<ArgumentException>(() => augmentation.Apply(new float[5], 1, new Rng(1))).Message);
        augmentation.Apply(Span<float>.Empty, 0, new Rng(1)); // no images is fine
        foreach (var bad in new[]
        {
            new ImageAugmentation(1, 2, 3) { MaxShift = -1 }, new ImageAugmentation(1, 2, 3) { Cutout = -1 },
            new ImageAugmentation(1, 2, 3) { Brightness = float.NaN }, new ImageAugmentation(1, 2, 3) { Contrast = 1f },
            new ImageAugmentation(1, 2, 3) { Contrast = -0.5f }, new ImageAugmentation(1, 2, 3) { NoiseStdDev = -1f },
        })
        {
            var e = Assert.Throws<InvalidOperationException>(() => bad.Apply(new float[6], 1, new Rng(1)));
            Assert.Contains("must be 0 or more, Contrast and MaxScale in [0, 1), MaxRotation in [0, 180] degrees", e.Message);
        }
    }

    [Fact]
    public void Idx_readers_refuse_a_null_stream_and_leave_the_caller_s_stream_open()
    {
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Idx.ReadImages((Stream)null!, out _, out _, out _)).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => Idx.ReadLabels((Stream)null!)).ParamName);
        // One 1×2 image: magic 0x00000803, count 1, rows 1, columns 2, then the pixels 0 and 255.
        var stream = new MemoryStream([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255]);
        float[] pixels = Idx.ReadImages(stream, out int count, out int rows, out int columns);
        Assert.Equal((1, 1, 2), (count, rows, columns));
        Assert.Equal(new[] { 0f, 1f }, pixels);
        Assert.True(stream.CanRead); // still open for the caller
        stream.Position = 0;
        Assert.Equal(0, stream.ReadByte());
    }
}
