/**
 * End-to-end benchmarks, run by {@code ./postroom bench}: throughput, latency at a fixed rate and
 * a large backlog on the embedded store, with JobRunr run in the same process and run for a ratio.
 * JMH microbenchmarks of the store's hot paths are in {@code dev.postroom.bench.store}. Nothing
 * depends on this module.
 */
package dev.postroom.bench;
