/**
 * The engine behind {@link dev.postroom.Postroom}: dispatch to handlers, wake-ups, retry timing,
 * background upkeep, id generation and validation. Internal: public only so the facade can reach
 * it; not a stable API.
 */
package dev.postroom.engine;
