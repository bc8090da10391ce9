/**
 * The HTTP API v1 ({@code /api/v1}, contract in API.md): routes per capability, one place that
 * turns exceptions into {@code application/problem+json}, bearer-token access checks, server-sent
 * events, health and metrics endpoints.
 */
package dev.postroom.server.http;
