using System;

namespace Compiled;

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, algorithm 7.4) for smooth functions of a few
/// thousand variables, in double: the two-loop recursion over the last <c>history</c> steps, and a backtracking line
/// search that accepts the first step meeting the Armijo condition f(x + αp) ≤ f(x) + 10⁻⁴·α·∇f·p. Pairs whose
/// curvature sᵀy is not positive are skipped, which keeps the direction a descent direction.
/// </summary>
internal sealed class LbfgsMinimizer
{
    private readonly int _size, _history;
    private readonly double[][] _s, _y;
    private readonly double[] _rho;

    public LbfgsMinimizer(int size, int history)
    {
        _size = size;
        _history = history;
        _s = new double[history][];
        _y = new double[history][];
        for (int i = 0; i < history; i++)
        {
            _s[i] = new double[size];
            _y[i] = new double[size];
        }
        _rho = new double[history];
    }

    /// <summary>
    /// Minimizes from <paramref name="x"/> (overwritten with the minimizer). Stops when every gradient component is
    /// below <paramref name="tolerance"/> (converged), when no step along the search direction decreases f any more
    /// (double precision is exhausted: converged if the gradient is below <see cref="PrecisionLimit"/>), or after
    /// <paramref name="maxIterations"/>.
    /// </summary>
    public (int Iterations, bool Converged, double Value) Minimize(Func<double[], double[], double> function, double[] x,
        int maxIterations, double tolerance)
    {
        int n = _size;
        var g = new double[n];
        var trial = new double[n];
        var trialGradient = new double[n];
        var direction = new double[n];
        var alpha = new double[_history];
        double f = function(x, g);
        int stored = 0, newest = -1;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double largest = LargestMagnitude(g);
            if (largest < tolerance) return (iteration, true, f);

            // Two-loop recursion: direction = −H·g, H the inverse-Hessian estimate from the stored pairs.
            for (int i = 0; i < n; i++) direction[i] = -g[i];
            for (int m = 0; m < stored; m++)
            {
                int at = (newest - m + _history) % _history;
                alpha[at] = _rho[at] * Dot(_s[at], direction);
                Axpy(-alpha[at], _y[at], direction);
            }
            // Initial scaling γ = sᵀy / yᵀy of the newest pair; before any pair, a step of length 1 / ‖g‖∞.
            double gamma = stored > 0 ? 1 / (_rho[newest] * Dot(_y[newest], _y[newest])) : 1 / largest;
            for (int i = 0; i < n; i++) direction[i] *= gamma;
            for (int m = stored - 1; m >= 0; m--)
            {
                int at = (newest - m + _history) % _history;
                double beta = _rho[at] * Dot(_y[at], direction);
                Axpy(alpha[at] - beta, _s[at], direction);
            }

            double slope = Dot(g, direction);
            if (!(slope < 0))
            {
                // Not a descent direction (rounding): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) direction[i] = -g[i] / largest;
                slope = Dot(g, direction);
            }

            double step = 1, fTrial = double.NaN;
            bool accepted = false;
            for (int tries = 0; tries < 40; tries++, step *= 0.5)
            {
                for (int i = 0; i < n; i++) trial[i] = x[i] + step * direction[i];
                fTrial = function(trial, trialGradient);
                // Armijo, and a strict decrease: near the minimum f + 10⁻⁴·α·∇f·p rounds to f, and "no worse"
                // would accept steps that change nothing.
                if (fTrial <= f + 1e-4 * step * slope && fTrial < f) { accepted = true; break; }
            }
            if (!accepted) return (iteration, largest < Math.Max(tolerance, PrecisionLimit), f);

            // Store the pair s = x' − x, y = g' − g when its curvature is positive.
            int next = (newest + 1) % _history;
            double sy = 0;
            for (int i = 0; i < n; i++)
            {
                _s[next][i] = trial[i] - x[i];
                _y[next][i] = trialGradient[i] - g[i];
                sy += _s[next][i] * _y[next][i];
            }
            if (sy > 1e-12 * Math.Sqrt(Dot(_s[next], _s[next]) * Dot(_y[next], _y[next])))
            {
                _rho[next] = 1 / sy;
                newest = next;
                stored = Math.Min(stored + 1, _history);
            }
            Array.Copy(trial, x, n);
            Array.Copy(trialGradient, g, n);
            f = fTrial;
        }
        return (maxIterations, LargestMagnitude(g) < tolerance, f);
    }

    /// <summary>
    /// The gradient size at which f stops decreasing measurably in double precision (a step's decrease, about
    /// ‖∇f‖²/curvature, falls below f's rounding): reached there, the minimum counts as found.
    /// </summary>
    internal const double PrecisionLimit = 1e-7;

    private static double LargestMagnitude(double[] v)
    {
        double m = 0;
        foreach (double e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }
}
