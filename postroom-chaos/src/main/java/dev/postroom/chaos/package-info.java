/**
 * The chaos campaign behind {@code ./postroom chaos}: real servers in child JVMs ({@link
 * dev.postroom.chaos.ServerNode}), an HTTP load of senders and consumers ({@link
 * dev.postroom.chaos.Load}), faults injected at seeded random moments ({@link
 * dev.postroom.chaos.Fault}), and the bookkeeping that decides whether anything acknowledged was lost
 * ({@link dev.postroom.chaos.Ledger}, {@link dev.postroom.chaos.Verdict}). No server code lives here:
 * the campaign sees the server only through its HTTP API and its process.
 */
package dev.postroom.chaos;
