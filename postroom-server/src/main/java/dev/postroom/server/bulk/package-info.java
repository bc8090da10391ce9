/** Bulk work over many messages, shared by the HTTP API and the console. */
package dev.postroom.server.bulk;
