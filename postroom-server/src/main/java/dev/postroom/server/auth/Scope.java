package dev.postroom.server.auth;

import dev.postroom.InvalidMessageException;

import java.util.regex.Pattern;

/**
 * One permission of an API token: {@code send:<queue-glob>}, {@code receive:<queue-glob>},
 * {@code read}, {@code operate} or {@code admin}. A glob matches queue names with {@code *} as
 * "any characters"; a {@code send:} glob also names the topics a token may publish to. {@code admin} implies every
 * other scope; {@code operate} implies {@code read}.
 */
public record Scope(Kind kind, String glob) {
    /** What a scope grants. */
    public enum Kind { SEND, RECEIVE, READ, OPERATE, ADMIN }

    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

    /** Parses {@code send:emails.*}, {@code read}, …; throws {@link InvalidMessageException} on anything else. */
    public static Scope parse(String text) {
        if (text == null) {
            throw new InvalidMessageException("scopes", "must not contain null");
        }
        int colon = text.indexOf(':');
        String head = colon < 0 ? text : text.substring(0, colon);
        String glob = colon < 0 ? null : text.substring(colon + 1);
        Kind kind = switch (head) {
            case "send" -> Kind.SEND;
            case "receive" -> Kind.RECEIVE;
            case "read" -> Kind.READ;
            case "operate" -> Kind.OPERATE;
            case "admin" -> Kind.ADMIN;
            default -> throw new InvalidMessageException("scopes", "unknown scope \"" + truncate(text)
                    + "\"; use send:<queue-glob>, receive:<queue-glob>, read, operate or admin");
        };
        boolean needsGlob = kind == Kind.SEND || kind == Kind.RECEIVE;
        if (needsGlob != (glob != null) || (glob != null && !GLOB.matcher(glob).matches())) {
            throw new InvalidMessageException("scopes", needsGlob
                    ? "\"" + truncate(text) + "\" needs a queue glob, e.g. " + head + ":emails.*"
                    : "\"" + truncate(text) + "\" takes no queue glob");
        }
        return new Scope(kind, glob);
    }

    /** Whether this scope grants {@code wanted} on {@code queue} (null for queue-less permissions). */
    public boolean grants(Kind wanted, String queue) {
        if (kind == Kind.ADMIN) {
            return true;
        }
        if (kind == Kind.OPERATE && wanted == Kind.READ) {
            return true;
        }
        if (kind != wanted) {
            return false;
        }
        return glob == null || (queue != null && globMatches(glob, queue));
    }

    /** Whether this scope grants {@code wanted} on every queue there is or may be: {@code admin}, or a glob of only {@code *}. */
    public boolean grantsOnEveryQueue(Kind wanted) {
        return kind == Kind.ADMIN || (kind == wanted && glob != null && glob.chars().allMatch(c -> c == '*'));
    }

    /**
     * Whether {@code name} matches {@code glob}, {@code *} standing for any run of characters. Runs
     * on every scoped API call (a batch ack asks up to three times per entry), so it compiles no
     * regex: it walks both strings, going back only to the last {@code *} seen, which bounds the
     * work by glob length × name length whatever the glob (a regex of several {@code .*} may
     * backtrack far more).
     */
    public static boolean globMatches(String glob, String name) {
        int g = 0;
        int n = 0;
        int lastStar = -1;
        int starMatchedUpTo = 0;
        while (n < name.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                lastStar = g++;
                starMatchedUpTo = n;
            } else if (g < glob.length() && glob.charAt(g) == name.charAt(n)) {
                g++;
                n++;
            } else if (lastStar >= 0) { // let the last * take one more character, and retry after it
                g = lastStar + 1;
                n = ++starMatchedUpTo;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return glob == null ? kind.name().toLowerCase() : kind.name().toLowerCase() + ":" + glob;
    }

    private static String truncate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
