package dev.postroom.spring;

import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Sends messages from Spring code, taking part in the caller's Spring transaction.
 *
 * <ul>
 *   <li>Outside a transaction a send is {@link Postroom#send}: the future completes once the
 *       message is durable.</li>
 *   <li>Inside a transaction on the store's own database (PostgreSQL on the application's
 *       {@code DataSource}), the message is written in that transaction (the transactional outbox):
 *       it is sent if and only if the transaction commits, and no handler sees it before. The
 *       future is already complete.</li>
 *   <li>Inside any other transaction (the embedded SQLite store, or a transaction on another
 *       database) the send is held until the transaction commits and dropped if it rolls back; the
 *       future completes after the commit, or with {@link SendRolledBackException}. Do not wait for
 *       it inside the transaction (it refuses). A crash between the commit and the send loses it:
 *       on PostgreSQL the outbox has no such gap.</li>
 * </ul>
 * Validation errors (a bad option, an unknown queue, a payload over the limit) are thrown at the
 * call in every case.
 */
public class PostroomTemplate {
    private final Postroom postroom;
    private final DataSource sharedDataSource;

    /**
     * @param postroom         the Postroom to send with
     * @param sharedDataSource the application's DataSource when the store lives in its database
     *                         (PostgreSQL), so sends can join its transactions; null otherwise
     */
    public PostroomTemplate(Postroom postroom, DataSource sharedDataSource) {
        this.postroom = Objects.requireNonNull(postroom, "postroom");
        this.sharedDataSource = sharedDataSource;
    }

    /** The Postroom behind this template, for everything else (queues, browsing, operators' actions). */
    public Postroom postroom() {
        return postroom;
    }

    /** Sends one message with default options. */
    public CompletableFuture<SendResult> send(String queue, Object payload) {
        return send(queue, payload, SendOptions.DEFAULTS);
    }

    /** Sends one message; see the class description for how it joins a transaction. */
    public CompletableFuture<SendResult> send(String queue, Object payload, SendOptions options) {
        return send(queue, List.of(new OutgoingMessage(payload, options)), sent -> CompletableFuture.completedFuture(sent.getFirst()));
    }

    /** Sends messages together: all are sent or (on any invalid one) none. */
    public CompletableFuture<List<SendResult>> sendBatch(String queue, List<OutgoingMessage> messages) {
        return send(queue, messages, CompletableFuture::completedFuture);
    }

    /** {@link #request(String, Object, SendOptions, Type)} for a result class. */
    public <R> CompletableFuture<R> request(String queue, Object payload, Class<R> resultType) {
        return request(queue, payload, SendOptions.DEFAULTS, resultType);
    }

    /** {@link #request(String, Object, SendOptions, Type)} for a generic result, e.g. {@code new ParameterizedTypeReference<List<Line>>() {}}. */
    public <R> CompletableFuture<R> request(String queue, Object payload, SendOptions options, ParameterizedTypeReference<R> resultType) {
        return request(queue, payload, options, resultType.getType());
    }

    /**
     * Sends a message and completes with its handler's result, as {@link Postroom#request}. Inside
     * a transaction the message is sent as {@link #send} says, so the result comes after the commit.
     */
    public <R> CompletableFuture<R> request(String queue, Object payload, SendOptions options, Type resultType) {
        Objects.requireNonNull(resultType, "resultType");
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return postroom.request(queue, payload, options, resultType);
        }
        return send(queue, List.of(new OutgoingMessage(payload, options)), sent -> postroom.awaitResult(sent.getFirst().id(), resultType));
    }

    /**
     * Sends {@code messages} now, in the caller's transaction, or when it commits, and completes
     * with {@code then} applied to the results.
     */
    private <T> CompletableFuture<T> send(String queue, List<OutgoingMessage> messages,
                                          Function<List<SendResult>, CompletableFuture<T>> then) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return postroom.sendBatch(queue, messages).thenCompose(then);
        }
        if (sharedDataSource != null && TransactionSynchronizationManager.hasResource(sharedDataSource)) {
            Connection transaction = DataSourceUtils.getConnection(sharedDataSource);
            try {
                return then.apply(postroom.sendBatch(transaction, queue, messages));
            } finally {
                DataSourceUtils.releaseConnection(transaction, sharedDataSource);
            }
        }
        // Checked now, so that a bad message fails the caller (and can roll its transaction back).
        postroom.validate(queue, messages);
        return AfterCommitSend.register(() -> postroom.sendBatch(queue, messages).thenCompose(then), queue);
    }
}
