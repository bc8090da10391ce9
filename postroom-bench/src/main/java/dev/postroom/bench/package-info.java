/**
 * End-to-end benchmarks, run by {@code ./postroom bench}: throughput, latency at a fixed rate and
 * a large backlog on the embedded store, with JobRunr run in the same process and run for a ratio.
 * Nothing depends on this module.
 */
package dev.postroom.bench;
