package dev.postroom.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.MissedRuns;
import dev.postroom.RawJson;
import dev.postroom.Schedule;
import dev.postroom.ScheduleDefinition;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schedule form of the console as text, the way the browser sends it and the page shows it
 * again after a mistake: payload and headers as JSON text, the missed-run policy by its API name.
 */
public record ScheduleForm(String name, String cron, String timezone, String queue, String payload, String headers,
                           String missedRuns, boolean paused) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An empty form for a new schedule. */
    static ScheduleForm blank() {
        return new ScheduleForm("", "", "UTC", "", "{}", "", MissedRuns.SKIP.wireName(), false);
    }

    /** The form of an existing schedule, to change it. */
    static ScheduleForm of(Schedule s) {
        String headers;
        try {
            headers = s.headers().isEmpty() ? "" : JSON.writeValueAsString(s.headers());
        } catch (JsonProcessingException e) {
            headers = "";
        }
        return new ScheduleForm(s.name(), s.cron(), s.timezone().getId(), s.queue(), Format.prettyJson(s.payloadJson()), headers,
                s.missedRuns().wireName(), s.paused());
    }

    static ScheduleForm from(Context ctx) {
        return new ScheduleForm(Params.form(ctx, "name"), Params.form(ctx, "cron"), Params.form(ctx, "timezone"),
                Params.form(ctx, "queue"), Params.form(ctx, "payload"), Params.form(ctx, "headers"),
                Params.form(ctx, "missedRuns"), ctx.formParam("paused") != null);
    }

    /**
     * The definition this form describes.
     *
     * @throws InvalidMessageException naming {@code payload}, {@code headers} or {@code missedRuns}
     *                                 when their text cannot be read (the rest is checked by the engine)
     */
    ScheduleDefinition toDefinition() {
        JsonNode payloadJson;
        try {
            payloadJson = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("payload", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (payloadJson == null || payloadJson.isMissingNode()) {
            throw new InvalidMessageException("payload", "enter a JSON value, e.g. {\"report\": \"daily\"}");
        }
        Map<String, String> headerMap;
        try {
            headerMap = headers.isBlank() ? Map.of() : JSON.readValue(headers, new TypeReference<LinkedHashMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("headers", "must be a JSON object of strings, e.g. {\"tenant\": \"acme\"}");
        }
        return ScheduleDefinition.builder(name).cron(cron).timezone(timezone).queue(queue)
                .payload(new RawJson(payloadJson.toString())).headers(headerMap)
                .missedRuns(MissedRuns.parse("missedRuns", missedRuns)).paused(paused).build();
    }

    /** What the audit log records of a saved form. */
    Map<String, Object> auditDetail() {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("cron", cron);
        detail.put("timezone", timezone);
        detail.put("queue", queue);
        detail.put("missedRuns", missedRuns);
        detail.put("paused", paused);
        return detail;
    }
}
