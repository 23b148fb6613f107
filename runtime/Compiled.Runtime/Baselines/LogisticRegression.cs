using System;

namespace Compiled;

/// <summary>
/// Multinomial logistic regression (softmax regression), the linear classification baseline a network should beat:
/// it minimizes the mean cross-entropy of softmax(W·x + b) plus (λ/2)·‖W‖² (the intercepts not penalized) over the
/// whole training set with L-BFGS, in double precision. Deterministic; meant for tables (thousands of samples, up to
/// a few hundred features: every iteration is a full pass in scalar double arithmetic). Scale the features first
/// (<see cref="StandardScaler"/>): the optimizer converges in far fewer iterations on comparable scales.
/// </summary>
public sealed class LogisticRegression
{
    private readonly double[] _weights;    // [classes × features]
    private readonly double[] _intercepts; // [classes]

    private LogisticRegression(int features, int classes, double[] weights, double[] intercepts, int iterations, bool converged, double loss)
    {
        FeatureCount = features;
        ClassCount = classes;
        _weights = weights;
        _intercepts = intercepts;
        Iterations = iterations;
        Converged = converged;
        Loss = loss;
    }

    /// <summary>Features per sample.</summary>
    public int FeatureCount { get; }

    /// <summary>Classes (labels 0 … ClassCount − 1).</summary>
    public int ClassCount { get; }

    /// <summary>L-BFGS iterations run.</summary>
    public int Iterations { get; }

    /// <summary>
    /// Whether the gradient's largest component fell below the tolerance, or below 10⁻⁷ where the objective stopped
    /// decreasing in double precision (else the iteration limit ended the fit).
    /// </summary>
    public bool Converged { get; }

    /// <summary>The minimized objective: mean cross-entropy plus (λ/2)·‖W‖².</summary>
    public double Loss { get; }

    /// <summary>The weight of feature <paramref name="feature"/> for class <paramref name="class"/>.</summary>
    public double Weight(int feature, int @class) => _weights[@class * FeatureCount + feature];

    /// <summary>The intercept of class <paramref name="class"/>.</summary>
    public double Intercept(int @class) => _intercepts[@class];

    /// <summary>Fits the classes of <paramref name="train"/> (one integer label per sample, as <see cref="Dataset.FromLabels"/> makes).</summary>
    /// <param name="train">Features and integer class labels.</param>
    /// <param name="l2">λ ≥ 0, the weight penalty; a small positive value keeps separable classes from driving the weights to infinity.</param>
    /// <param name="maxIterations">The most L-BFGS iterations; positive.</param>
    /// <param name="tolerance">Stop when every gradient component is below this in magnitude; positive.</param>
    /// <exception cref="ArgumentException">The set is empty or has no integer labels, or an argument is out of range.</exception>
    public static LogisticRegression Fit(Dataset train, double l2 = 1e-4, int maxIterations = 500, double tolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("Cannot fit on an empty dataset.", nameof(train));
        if (!(l2 >= 0) || double.IsInfinity(l2)) throw new ArgumentException($"l2 is {l2}; it must be a finite number ≥ 0.", nameof(l2));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        if (!(tolerance > 0)) throw new ArgumentException($"tolerance is {tolerance}; it must be positive.", nameof(tolerance));
        int[] labels = train.Labels();
        int classes = Math.Max(2, Dataset.ClassCount(labels));
        var problem = new Objective(train, labels, classes, l2);
        var x = new double[problem.Size];
        var minimizer = new LbfgsMinimizer(problem.Size, history: 10);
        var (iterations, converged, loss) = minimizer.Minimize(problem.Evaluate, x, maxIterations, tolerance);
        int d = train.FeatureCount;
        return new LogisticRegression(d, classes, x.AsSpan(0, classes * d).ToArray(), x.AsSpan(classes * d).ToArray(), iterations, converged, loss);
    }

    /// <summary>softmax(W·x + b): the probability of each class for one sample.</summary>
    /// <exception cref="ArgumentException">A span's length is not FeatureCount or ClassCount.</exception>
    public void Probabilities(ReadOnlySpan<float> features, Span<double> probabilities)
    {
        if (features.Length != FeatureCount) throw new ArgumentException($"features has {features.Length} values; expected FeatureCount ({FeatureCount}).", nameof(features));
        if (probabilities.Length != ClassCount) throw new ArgumentException($"probabilities has {probabilities.Length} values; expected ClassCount ({ClassCount}).", nameof(probabilities));
        Objective.Logits(_weights, _intercepts, features, probabilities);
        Objective.SoftmaxInPlace(probabilities);
    }

    /// <summary>The most probable class of one sample (the lowest index among equals).</summary>
    public int Predict(ReadOnlySpan<float> features)
    {
        Span<double> p = ClassCount <= 256 ? stackalloc double[ClassCount] : new double[ClassCount];
        Probabilities(features, p);
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    /// <summary>The fraction of <paramref name="test"/>'s samples whose label <see cref="Predict"/> gets right.</summary>
    public double Accuracy(Dataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (test.Count == 0) throw new ArgumentException("The test set is empty.", nameof(test));
        int[] labels = test.Labels();
        int right = 0;
        for (int i = 0; i < test.Count; i++) if (Predict(test.FeatureRow(i)) == labels[i]) right++;
        return (double)right / test.Count;
    }

    /// <summary>The objective and its gradient over x = [W (classes × features), b (classes)].</summary>
    private sealed class Objective
    {
        private readonly Dataset _data;
        private readonly int[] _labels;
        private readonly int _classes, _features;
        private readonly double _l2;
        private readonly double[] _z;

        public Objective(Dataset data, int[] labels, int classes, double l2)
        {
            _data = data;
            _labels = labels;
            _classes = classes;
            _features = data.FeatureCount;
            _l2 = l2;
            _z = new double[classes];
            Size = classes * (_features + 1);
        }

        public int Size { get; }

        /// <summary>f(x), writing ∇f(x) into <paramref name="gradient"/>.</summary>
        public double Evaluate(double[] x, double[] gradient)
        {
            int d = _features, k = _classes, n = _data.Count;
            var w = x.AsSpan(0, k * d);
            var b = x.AsSpan(k * d, k);
            Array.Clear(gradient);
            var gw = gradient.AsSpan(0, k * d);
            var gb = gradient.AsSpan(k * d, k);
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> row = _data.FeatureRow(i);
                Logits(w, b, row, _z);
                double max = _z[0];
                for (int c = 1; c < k; c++) max = Math.Max(max, _z[c]);
                double sum = 0;
                for (int c = 0; c < k; c++) sum += Math.Exp(_z[c] - max);
                loss += max + Math.Log(sum) - _z[_labels[i]];
                for (int c = 0; c < k; c++)
                {
                    // ∂/∂z_c = softmax(z)_c − [c = label], spread over the row's features.
                    double dz = Math.Exp(_z[c] - max) / sum - (c == _labels[i] ? 1 : 0);
                    gb[c] += dz;
                    var gc = gw.Slice(c * d, d);
                    for (int j = 0; j < d; j++) gc[j] += dz * row[j];
                }
            }
            double penalty = 0;
            for (int j = 0; j < k * d; j++)
            {
                gw[j] = gw[j] / n + _l2 * w[j];
                penalty += w[j] * w[j];
            }
            for (int c = 0; c < k; c++) gb[c] /= n;
            return loss / n + 0.5 * _l2 * penalty;
        }

        public static void Logits(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<float> row, Span<double> z)
        {
            int d = row.Length;
            for (int c = 0; c < z.Length; c++)
            {
                var wc = w.Slice(c * d, d);
                double s = b[c];
                for (int j = 0; j < d; j++) s += wc[j] * row[j];
                z[c] = s;
            }
        }

        public static void SoftmaxInPlace(Span<double> z)
        {
            double max = z[0];
            for (int c = 1; c < z.Length; c++) max = Math.Max(max, z[c]);
            double sum = 0;
            for (int c = 0; c < z.Length; c++) sum += z[c] = Math.Exp(z[c] - max);
            for (int c = 0; c < z.Length; c++) z[c] /= sum;
        }
    }
}
