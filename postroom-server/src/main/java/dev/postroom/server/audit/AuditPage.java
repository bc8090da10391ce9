package dev.postroom.server.audit;

import java.util.List;

/**
 * One page of {@link AuditLog#browse}: entries newest first, and the cursor of the next page.
 * Paging is by id, never by offset, so entries recorded meanwhile never shift later pages.
 *
 * @param entries the entries, newest first
 * @param next    the cursor for {@link AuditQuery#after()}, or null on the last page
 */
public record AuditPage(List<AuditEntry> entries, String next) {
    public AuditPage {
        entries = List.copyOf(entries);
    }

    /** Whether a further page holds more entries. */
    public boolean hasNext() {
        return next != null;
    }
}
