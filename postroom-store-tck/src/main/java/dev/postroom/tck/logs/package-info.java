/**
 * Quiet test output: a module's tests print WARN and above as they happen, while INFO lines are
 * held in memory ({@link dev.postroom.tck.logs.HeldLogAppender}) and printed only for a test that
 * fails ({@link dev.postroom.tck.logs.HeldLogPrinter}). It lives in the TCK because that is the jar
 * the store and server tests share; it knows nothing of stores.
 */
package dev.postroom.tck.logs;
