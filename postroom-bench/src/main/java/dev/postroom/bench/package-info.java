/**
 * End-to-end benchmarks, run by {@code ./postroom bench}: throughput, latency at a fixed rate and
 * a large backlog on the embedded store, with RabbitMQ (a private broker, {@code rabbitmq}) and JobRunr
 * ({@code jobrunr}) run beside it for ratios; {@code PostgresBench} the same on PostgreSQL.
 * {@code ScaleBench} ({@code ./postroom bench scale}) stores, browses and drains a 10,000,000-message
 * backlog in a 64 MiB heap.
 * JMH microbenchmarks of the store's hot paths are in {@code dev.postroom.bench.store}. The HTTP API
 * is measured by {@code HttpBench} (a JDK client, optionally in the server's process) and by
 * {@code HttpLoad} (the server jar in a child JVM, driven by autocannon from
 * {@code postroom-bench/http-load}). Nothing depends on this module.
 */
package dev.postroom.bench;
