package dev.postroom.example.backoffice;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The back office's own data: customers, orders, refunds and the emails sent. */
@Repository
public class Shop {
    private final JdbcClient jdbc;

    public Shop(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Customer> customers() {
        return jdbc.sql("""
                        SELECT c.id, c.name, c.email, c.blocked,
                               COUNT(o.id) AS open_orders, COALESCE(SUM(o.total_cents), 0) AS open_cents
                        FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.status = 'OPEN'
                        GROUP BY c.id, c.name, c.email, c.blocked
                        ORDER BY c.id""")
                .query((rs, n) -> new Customer(rs.getLong("id"), rs.getString("name"), rs.getString("email"),
                        rs.getBoolean("blocked"), rs.getInt("open_orders"), rs.getLong("open_cents")))
                .list();
    }

    public Optional<Customer> customer(long id) {
        return customers().stream().filter(c -> c.id() == id).findFirst();
    }

    public List<Long> customerIds() {
        return jdbc.sql("SELECT id FROM customers ORDER BY id").query(Long.class).list();
    }

    public List<Order> openOrders(long customerId) {
        return jdbc.sql("SELECT id, customer_id, total_cents, status FROM orders WHERE customer_id = ? AND status = 'OPEN' ORDER BY id")
                .param(customerId)
                .query(Order.class)
                .list();
    }

    /** Every order, in id order, one at a time: an export does not hold them all in memory. */
    public void eachOrder(Consumer<Order> action) {
        try (var orders = jdbc.sql("SELECT id, customer_id, total_cents, status FROM orders ORDER BY id").query(Order.class).stream()) {
            orders.forEach(action);
        }
    }

    public int orderCount() {
        return jdbc.sql("SELECT COUNT(*) FROM orders").query(Integer.class).single();
    }

    /** Marks an open order refunded and records the refund; false when it was not open any more. */
    public boolean refund(Order order, Instant now) {
        int changed = jdbc.sql("UPDATE orders SET status = 'REFUNDED' WHERE id = ? AND status = 'OPEN'").param(order.id()).update();
        if (changed == 1) {
            jdbc.sql("INSERT INTO refunds (order_id, cents, refunded_at) VALUES (?, ?, ?)")
                    .params(order.id(), order.totalCents(), now.toString()).update();
        }
        return changed == 1;
    }

    public void recordRefundRequest(long customerId, Instant now) {
        jdbc.sql("INSERT INTO refund_requests (customer_id, requested_at) VALUES (?, ?)").params(customerId, now.toString()).update();
    }

    public int refundRequests(long customerId) {
        return jdbc.sql("SELECT COUNT(*) FROM refund_requests WHERE customer_id = ?").param(customerId).query(Integer.class).single();
    }

    public void recordEmail(long customerId, String subject, Instant now) {
        jdbc.sql("INSERT INTO emails (customer_id, subject, sent_at) VALUES (?, ?, ?)").params(customerId, subject, now.toString()).update();
    }

    public int emailsSent(String subject) {
        return jdbc.sql("SELECT COUNT(*) FROM emails WHERE subject = ?").param(subject).query(Integer.class).single();
    }
}
