/** The {@code postroom} executable: command-line entry point and, later, the HTTP server. */
package dev.postroom.server;
