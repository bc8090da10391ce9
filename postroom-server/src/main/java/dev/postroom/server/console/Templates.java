package dev.postroom.server.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

import java.util.Map;

/** Renders the console's jte templates, compiled to classes at build time. Every value is HTML-escaped unless a template says otherwise. */
final class Templates {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    String render(String template, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        engine.render(template, params, out);
        return out.toString();
    }

    void page(Context ctx, String template, Map<String, Object> params) {
        ctx.html(render(template, params));
    }

    /** A fragment for a server-sent event: one line, since an event's data ends at a blank line. */
    String fragment(String template, Map<String, Object> params) {
        return render(template, params).replaceAll("\\s*\\R\\s*", " ");
    }
}
