/**
 * Recent activity in memory: per-second and per-minute counts of sent, acked, failed and dead
 * messages and send-to-finish latency histograms, for every queue and for all queues together,
 * over the last 24 hours ({@link dev.postroom.server.activity.Activity}). Fed by the engine's
 * listener; read by the live queue events and the console. Nothing here is persisted: a restart
 * starts from zero.
 */
package dev.postroom.server.activity;
