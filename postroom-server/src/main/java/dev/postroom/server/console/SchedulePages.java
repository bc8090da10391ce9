package dev.postroom.server.console;

import dev.postroom.server.http.WireNames;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueueNotFoundException;
import dev.postroom.Schedule;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.HashMap;
import java.util.Map;

/**
 * Schedules ({@code /console/schedules}): every schedule with its next run and a link to the
 * message of its last run; pause and resume (operators); create, change and delete (admins, as
 * queue policies). {@code ?edit=NAME} fills the form with that schedule; saving a name that exists
 * replaces its definition.
 */
final class SchedulePages {
    private final Postroom postroom;
    private final Templates templates;
    private final Audit audit;

    SchedulePages(Postroom postroom, Templates templates, Audit audit) {
        this.postroom = postroom;
        this.templates = templates;
        this.audit = audit;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/schedules", this::list);
        routes.post("/console/schedules", this::save);
        routes.post("/console/schedules/{name}/pause", ctx -> pause(ctx, true));
        routes.post("/console/schedules/{name}/resume", ctx -> pause(ctx, false));
        routes.post("/console/schedules/{name}/delete", this::delete);
        routes.post("/console/schedules/{name}/run", this::runNow);
    }

    private void list(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String edit = Params.query(ctx, "edit");
        ScheduleForm form = edit.isEmpty() || !session.role().includes(Role.ADMIN)
                ? ScheduleForm.blank() : ScheduleForm.of(postroom.schedules().get(edit));
        show(ctx, session, form, !edit.isEmpty(), null, null);
    }

    private void show(Context ctx, Session session, ScheduleForm form, boolean editing, String error, String errorField) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Schedules", "schedules"));
        params.put("schedules", postroom.schedules().list());
        params.put("queues", postroom.queues().stream().map(QueueInfo::name).toList());
        params.put("form", form);
        params.put("editing", editing);
        params.put("error", error);
        params.put("errorField", errorField == null ? "" : errorField);
        templates.page(ctx, "schedules.jte", params);
    }

    private void save(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        ScheduleForm form = ScheduleForm.from(ctx);
        boolean created;
        try {
            created = postroom.schedules().put(form.toDefinition());
        } catch (InvalidMessageException e) { // and MessageTooLargeException, which names its field too
            refuse(ctx, session, form, WireNames.message(e), WireNames.field(e));
            return;
        } catch (QueueNotFoundException e) {
            refuse(ctx, session, form, "queue: there is no queue " + e.queue() + "; create it first", "queue");
            return;
        }
        audit.record(ctx, session, created ? "schedule.create" : "schedule.update", "schedule", form.name(), form.auditDetail());
        Schedule saved = postroom.schedules().get(form.name());
        session.flash((created ? "Created schedule " : "Saved schedule ") + saved.name() + "; "
                + (saved.nextRunAt() == null ? "it is paused." : "next run " + Format.time(saved.nextRunAt()) + "."));
        ctx.redirect("/console/schedules", HttpStatus.SEE_OTHER);
    }

    private void refuse(Context ctx, Session session, ScheduleForm form, String error, String field) {
        ctx.status(422);
        show(ctx, session, form, false, error + ". Nothing was saved.", field);
    }

    private void pause(Context ctx, boolean paused) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String name = ctx.pathParam("name");
        Schedule schedule = paused ? postroom.schedules().pause(name) : postroom.schedules().resume(name);
        audit.record(ctx, session, paused ? "schedule.pause" : "schedule.resume", "schedule", name, Map.of());
        session.flash(paused ? "Paused schedule " + name + ": it sends nothing until it is resumed."
                : "Resumed schedule " + name + "; next run " + Format.time(schedule.nextRunAt()) + ".");
        ctx.redirect("/console/schedules", HttpStatus.SEE_OTHER);
    }

    private void runNow(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.OPERATOR);
        String name = ctx.pathParam("name");
        dev.postroom.SendResult sent = postroom.schedules().runNow(name);
        audit.record(ctx, session, "schedule.run", "schedule", name, Map.of("messageId", sent.id()));
        session.flash("Ran schedule " + name + " now: sent " + sent.id() + ". Its next run is unchanged.");
        ctx.redirect("/console/messages/" + Format.url(sent.id()), HttpStatus.SEE_OTHER);
    }

    private void delete(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = ctx.pathParam("name");
        postroom.schedules().delete(name);
        audit.record(ctx, session, "schedule.delete", "schedule", name, Map.of());
        session.flash("Deleted schedule " + name + "; messages it already sent stay in their queue.");
        ctx.redirect("/console/schedules", HttpStatus.SEE_OTHER);
    }
}
