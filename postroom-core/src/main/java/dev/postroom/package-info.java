/**
 * The public API of Postroom: {@link dev.postroom.Postroom} to send, handle and operate; options
 * ({@link dev.postroom.SendOptions}, {@link dev.postroom.QueuePolicy}), views
 * ({@link dev.postroom.Message}, {@link dev.postroom.QueueInfo}) and the exceptions, all under
 * {@link dev.postroom.PostroomException}. The engine lives in {@code dev.postroom.engine} (internal)
 * and the storage SPI in {@code dev.postroom.store}.
 */
package dev.postroom;
