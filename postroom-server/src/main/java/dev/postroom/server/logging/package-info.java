/**
 * The command line's logging settings: the environment variables that pick the log format and turn
 * the request log off, checked before logging starts. The configuration itself is the resource
 * {@code dev/postroom/server/logback.xml}.
 */
package dev.postroom.server.logging;
