/**
 * JMH microbenchmarks of the store's hot paths, driven through the store SPI
 * ({@link dev.postroom.store.MessageStore}) against a real embedded store in a scratch directory:
 * group commit ({@link dev.postroom.bench.store.GroupCommitBenchmark}) and claims with their acks
 * ({@link dev.postroom.bench.store.ClaimBenchmark}). No engine, no handler: the end-to-end runs
 * are in {@code dev.postroom.bench}. Results and the commands that produced them are in
 * BENCHMARKS.md.
 */
package dev.postroom.bench.store;
