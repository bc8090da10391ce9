/**
 * Who may do what: users (console) with roles, API tokens with scopes, both stored hashed next to
 * the messages: in {@code auth.db} with the embedded store, in the shared PostgreSQL schema with
 * {@code --store postgres} ({@link dev.postroom.server.auth.AuthDatabase}). Route checks live in
 * {@code dev.postroom.server.http}.
 */
package dev.postroom.server.auth;
