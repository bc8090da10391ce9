/**
 * RabbitMQ as a peer in the end-to-end benchmark: a private broker started as a child process for
 * the run ({@link dev.postroom.bench.rabbitmq.RabbitBroker}), and the throughput and latency runs
 * against it ({@link dev.postroom.bench.rabbitmq.RabbitPeer}) that {@code Bench} sets beside
 * Postroom's. Nothing here is used by Postroom itself.
 */
package dev.postroom.bench.rabbitmq;
