using BenchmarkDotNet.Running;

// Every suite of this assembly; BenchmarkDotNet's command line picks (--filter, --job, --list flat, ...).
BenchmarkSwitcher.FromAssembly(typeof(Compiled.Benchmarks.PredictBenchmarks).Assembly).Run(args);
