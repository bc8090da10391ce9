/**
 * Who may do what: users (console) with roles, API tokens with scopes, both stored hashed in
 * {@code auth.db} next to the messages. Route checks live in {@code dev.postroom.server.http}.
 */
package dev.postroom.server.auth;
