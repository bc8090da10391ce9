package dev.postroom.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.postroom.server.auth.Scope;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the console writes times, durations, counts and JSON; used by the templates. */
public final class Format {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** {@code 2026-11-25 17:36:44.120Z}, or an em dash for none. */
    public static String time(Instant at) {
        return at == null ? "—" : TIME.format(at);
    }

    /** The machine-readable form for {@code <time datetime>}. */
    public static String iso(Instant at) {
        return at == null ? "" : at.toString();
    }

    /** A short age like {@code 4s}, {@code 3m 12s}, {@code 2h 5m}, {@code 3d 4h}. */
    public static String age(Duration age) {
        if (age == null || age.isNegative() || age.isZero()) {
            return "—";
        }
        long s = age.toSeconds();
        if (s < 1) {
            return age.toMillis() + "ms";
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }

    /** Seconds as an age, see {@link #age(Duration)}. */
    public static String seconds(double seconds) {
        return age(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    /** {@code 1,234,567}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A rate per second with one decimal under 10, none above. */
    public static String rate(double perSecond) {
        return perSecond < 10 ? String.format(Locale.ROOT, "%.1f/s", perSecond) : String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    /** JSON indented for reading; text that is not JSON comes back as it was. */
    public static String prettyJson(String json) {
        if (json == null) {
            return "";
        }
        try {
            return PRETTY.writeValueAsString(PRETTY.readTree(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    /** A value for a URL query parameter. */
    public static String url(String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The state name as shown: {@code IN_FLIGHT} becomes {@code in flight}. */
    public static String state(Enum<?> state) {
        return state == null ? "" : state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** A token's scopes as an admin types them: {@code send:emails.* read}. */
    public static String scopes(List<Scope> scopes) {
        return String.join(" ", scopes.stream().map(Scope::toString).toList());
    }

    /** Header values as a filter shows them: {@code region=eu, tier=gold}. */
    public static String headers(Map<String, String> headers) {
        return headers.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
    }
}
