package dev.postroom.server.console;

import io.javalin.http.Context;

/** What an operator typed into a send form, shown again after a refusal; every field as typed. */
public record SendFields(String target, String payload, String headers, String orderingKey, String delaySeconds, String priority) {

    /** A fresh form for {@code target} (a queue or topic, or null for the first one). */
    static SendFields empty(String target) {
        return new SendFields(target == null ? "" : target, "{\n  \n}", "", "", "", "0");
    }

    /** The form's fields; {@code targetField} names the queue or topic field. */
    static SendFields from(Context ctx, String targetField) {
        return new SendFields(param(ctx, targetField), param(ctx, "payload"), param(ctx, "headers"), param(ctx, "orderingKey"),
                param(ctx, "delaySeconds"), param(ctx, "priority"));
    }

    private static String param(Context ctx, String name) {
        String value = ctx.formParam(name);
        return value == null ? "" : value;
    }
}
