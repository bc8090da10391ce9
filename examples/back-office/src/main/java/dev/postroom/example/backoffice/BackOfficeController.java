package dev.postroom.example.backoffice;

import dev.postroom.AttemptError;
import dev.postroom.BatchResult;
import dev.postroom.BatchStatus;
import dev.postroom.Message;
import dev.postroom.Postroom;
import dev.postroom.SendResult;
import dev.postroom.spring.PostroomConsole;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The back office's pages: customers with their actions, and each action's live progress. */
@Controller
public class BackOfficeController {
    private final Shop shop;
    private final Refunds refunds;
    private final Exports exports;
    private final Announcements announcements;
    private final Postroom postroom;
    private final JsonMapper json;
    private final ObjectProvider<PostroomConsole> console;

    public BackOfficeController(Shop shop, Refunds refunds, Exports exports, Announcements announcements, Postroom postroom,
                                JsonMapper json, ObjectProvider<PostroomConsole> console) {
        this.shop = shop;
        this.refunds = refunds;
        this.exports = exports;
        this.announcements = announcements;
        this.postroom = postroom;
        this.json = json;
        this.console = console;
    }

    @GetMapping("/")
    String customers(Model model) {
        model.addAttribute("customers", shop.customers());
        model.addAttribute("consoleUrl", consoleUrl());
        return "customers";
    }

    @PostMapping("/customers/{id}/refund")
    String refund(@PathVariable long id, RedirectAttributes redirect) {
        try {
            SendResult sent = refunds.request(id).join(); // after the commit: the message is on its way
            return "redirect:/actions/" + sent.id();
        } catch (RefundsOnHoldException e) {
            redirect.addFlashAttribute("notice", e.getMessage() + ": nothing was refunded or sent.");
            return "redirect:/";
        }
    }

    @PostMapping("/exports")
    String export() {
        SendResult sent = postroom.send(Exports.QUEUE, new Exports.ExportOrders("back office")).join();
        return "redirect:/actions/" + sent.id();
    }

    @PostMapping("/announcements")
    String announce(@RequestParam String subject, @RequestParam String body) {
        if (subject.isBlank() || subject.length() > 200 || body.length() > 5000) {
            throw new ResponseStatusException(HttpStatus.UNPROCESSABLE_CONTENT, "a subject of 1–200 characters and a body of at most 5,000");
        }
        BatchResult batch = announcements.announce(subject.strip(), body);
        return "redirect:/batches/" + batch.batchId();
    }

    @GetMapping("/actions/{id}")
    String action(@PathVariable String id, Model model) {
        model.addAttribute("message", message(id));
        model.addAttribute("consoleUrl", consoleUrl());
        return "action";
    }

    /** What the action page polls: state, progress, result or last error. */
    @GetMapping(value = "/actions/{id}.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    Map<String, Object> actionStatus(@PathVariable String id) {
        Message message = message(id);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("id", message.id());
        status.put("queue", message.queue());
        status.put("state", message.state().name());
        status.put("final", message.state().isFinal());
        status.put("attempt", message.attempt());
        status.put("percent", message.progress() == null ? null : message.progress().percent());
        status.put("note", message.progress() == null ? null : message.progress().note());
        status.put("result", message.resultJson() == null ? null : json.readTree(message.resultJson()));
        AttemptError last = message.errors().isEmpty() ? null : message.errors().getLast();
        status.put("error", last == null ? null : last.message());
        return status;
    }

    @GetMapping("/batches/{id}")
    String batch(@PathVariable String id, Model model) {
        model.addAttribute("batch", postroom.batches().get(id));
        model.addAttribute("consoleUrl", consoleUrl());
        return "batch";
    }

    @GetMapping(value = "/batches/{id}.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    BatchStatus batchStatus(@PathVariable String id) {
        return postroom.batches().get(id);
    }

    @GetMapping(value = "/exports/{id}.csv", produces = "text/csv")
    ResponseEntity<FileSystemResource> download(@PathVariable String id) {
        Path file;
        try {
            file = exports.file(id);
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        if (!Files.isRegularFile(file)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no export " + id + " (yet)");
        }
        return ResponseEntity.ok()
                .header("Content-Disposition", "attachment; filename=\"orders-" + id + ".csv\"")
                .body(new FileSystemResource(file));
    }

    /** Postroom's console beside the back office (postroom.console.port), or empty when it is off. */
    private String consoleUrl() {
        PostroomConsole running = console.getIfAvailable();
        return running == null ? "" : running.url();
    }

    private Message message(String id) {
        return postroom.get(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no action " + id));
    }

    @ExceptionHandler(dev.postroom.BatchNotFoundException.class)
    ResponseEntity<String> noBatch(dev.postroom.BatchNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(e.getMessage());
    }
}
