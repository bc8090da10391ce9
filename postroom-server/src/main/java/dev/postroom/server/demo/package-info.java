/** {@code postroom demo}: an embedded instance with back-office queues, a sender and live counts. */
package dev.postroom.server.demo;
