using System.Collections.Generic;

namespace Compiled;

/// <summary>The per-epoch record of a <see cref="Trainer.Fit"/> run, for a loss curve.</summary>
public sealed class FitHistory
{
    private readonly List<EpochReport> _epochs = new();

    /// <summary>One report per completed epoch, in order.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>True when early stopping ended the run before the planned epochs.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The 1-based epoch whose weights the network holds at the end (the best one under early stopping).</summary>
    public int BestEpoch { get; internal set; }

    internal void Add(EpochReport report) => _epochs.Add(report);
}
