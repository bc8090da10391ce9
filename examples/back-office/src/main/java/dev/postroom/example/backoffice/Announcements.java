package dev.postroom.example.backoffice;

import dev.postroom.BatchOptions;
import dev.postroom.BatchResult;
import dev.postroom.Delivery;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.SendOptions;
import dev.postroom.spring.PostroomListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.util.List;

/**
 * "Announce a change to every customer": one message per customer, sent as a batch, and a
 * completion message once every email went out.
 */
@Service
public class Announcements {
    static final String EMAILS = "announcements.email";
    static final String DONE = "announcements.done";
    private static final Logger log = LoggerFactory.getLogger(Announcements.class);

    private final Shop shop;
    private final Postroom postroom;
    private final Clock clock;

    public Announcements(Shop shop, Postroom postroom, Clock clock) {
        this.shop = shop;
        this.postroom = postroom;
        this.clock = clock;
    }

    /** One customer's email. */
    public record Email(long customerId, String subject, String body) {
    }

    /** The completion message: which announcement finished. */
    public record Announced(String subject) {
    }

    /** Sends the announcement to every customer; returns the batch, to follow on its page. */
    public BatchResult announce(String subject, String body) {
        List<OutgoingMessage> emails = shop.customerIds().stream()
                .map(id -> new OutgoingMessage(new Email(id, subject, body), SendOptions.DEFAULTS))
                .toList();
        return postroom.batches().send(EMAILS, emails, BatchOptions.onComplete(DONE, new Announced(subject))).join();
    }

    @PostroomListener(queue = EMAILS)
    void send(Email email) {
        shop.recordEmail(email.customerId(), email.subject(), clock.instant()); // the mail server, in this example
    }

    @PostroomListener(queue = DONE)
    void finished(Announced announced) {
        log.info("announcement sent to every customer subject={} emails={}", announced.subject(), shop.emailsSent(announced.subject()));
    }
}
