package dev.postroom.example.backoffice;

/** Refunds of this customer are on hold: nothing is refunded or sent. */
public class RefundsOnHoldException extends RuntimeException {
    public RefundsOnHoldException(Customer customer) {
        super("refunds for " + customer.name() + " are on hold");
    }
}
