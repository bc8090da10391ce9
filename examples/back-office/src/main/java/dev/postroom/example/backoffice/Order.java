package dev.postroom.example.backoffice;

/** One order. */
public record Order(long id, long customerId, long totalCents, String status) {
}
