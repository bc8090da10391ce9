package dev.postroom.example.backoffice;

/** A customer with what the front page shows about their orders. */
public record Customer(long id, String name, String email, boolean blocked, int openOrders, long openCents) {
}
