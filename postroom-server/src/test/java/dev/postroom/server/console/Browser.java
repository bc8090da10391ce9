package dev.postroom.server.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Headless Chromium driving the console, for tests that need what only a browser does: htmx
 * swapping server-sent events into the page, scripts running under the CSP, confirmation dialogs,
 * markup that would execute if it were not escaped. One per test class: starting Chromium takes a
 * second, a page a few milliseconds.
 *
 * <p>Uses Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}; the system properties {@code postroom.chromium} and
 * {@code postroom.chromedriver} point elsewhere). Selenium Manager is never asked to download
 * anything: without both programs the tests fail, saying how to install them.
 *
 * <p>Every page gets, before its own scripts run, a listener that records script errors,
 * failed script and style loads and CSP violations in the tab's session storage, so
 * {@link #errors()} sees them across navigations.
 */
final class Browser implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    /** Where {@link #screenshot} writes, relative to the build's working directory (the module). */
    static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    /**
     * Selenium's DevTools bindings trail Chromium's releases and warn when none matches; this class
     * sends raw CDP commands only, which need no bindings. Held here so the setting is not collected.
     */
    private static final Logger CDP_VERSION_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");
    private static final String ERRORS_KEY = "postroom.test.errors";
    private static final String ERROR_RECORDER = """
            (function () {
              function record(text) {
                try {
                  var list = JSON.parse(sessionStorage.getItem('%1$s') || '[]');
                  list.push(location.pathname + ': ' + text);
                  sessionStorage.setItem('%1$s', JSON.stringify(list));
                } catch (ignored) { /* pages without storage (about:blank) */ }
              }
              window.addEventListener('error', function (e) {
                var t = e.target;
                if (t && t !== window && (t.src || t.href)) { record('failed to load ' + (t.src || t.href)); }
                else { record('script error: ' + e.message); }
              }, true);
              window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
              document.addEventListener('securitypolicyviolation', function (e) {
                record('CSP blocked ' + e.blockedURI + ' (' + e.violatedDirective + ')');
              });
            })();
            """.formatted(ERRORS_KEY);

    private final String baseUrl;
    private final ChromeDriver driver;
    private final WebDriverWait wait;
    private final Map<String, Cookie> sessions = new HashMap<>();

    private Browser(String baseUrl, ChromeDriver driver) {
        this.baseUrl = baseUrl;
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
    }

    /** Starts headless Chromium (1280×900, light theme) for the console at {@code baseUrl}. */
    static Browser start(String baseUrl) {
        File chromium = new File(System.getProperty("postroom.chromium", "/usr/bin/chromium"));
        File chromedriver = new File(System.getProperty("postroom.chromedriver", "/usr/bin/chromedriver"));
        if (!chromium.canExecute() || !chromedriver.canExecute()) {
            throw new AssertionError("The console's browser tests need Chromium and its driver, and " + chromium + " or "
                    + chromedriver + " is missing. On Debian or Ubuntu: sudo apt-get install chromium chromium-driver "
                    + "(./postroom test does this itself when run as root). Elsewhere, point -Dpostroom.chromium and "
                    + "-Dpostroom.chromedriver at a Chromium and the matching chromedriver.");
        }
        System.setProperty("webdriver.chrome.driver", chromedriver.getPath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--force-color-profile=srgb", "--hide-scrollbars", "--window-size=1280,900");
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.manage().window().setSize(new Dimension(1280, 900));
            driver.manage().timeouts().scriptTimeout(WAIT);
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_RECORDER));
            driver.executeCdpCommand("Emulation.setEmulatedMedia",
                    Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
        } catch (RuntimeException e) {
            driver.quit();
            throw e;
        }
        return new Browser(baseUrl, driver);
    }

    /**
     * Signs {@code username} in with {@link ConsoleFixture#PASSWORD}: through the sign-in form the
     * first time, afterwards by restoring that session's cookie (a sign-in costs a password hash).
     * Ends on the overview.
     */
    void signIn(String username) {
        driver.manage().deleteAllCookies();
        Cookie saved = sessions.get(username);
        if (saved != null) {
            open("/console/login");
            driver.manage().addCookie(saved);
            open("/console");
        } else {
            open("/console/login");
            type("input[name=username]", username);
            type("input[name=password]", ConsoleFixture.PASSWORD);
            click("form[action='/console/login'] button[type=submit]");
        }
        waitForText(".who", username);
        sessions.put(username, driver.manage().getCookieNamed(ConsoleGuard.COOKIE));
    }

    /** Loads {@code path} (starting with /) and waits for the page to finish loading. */
    void open(String path) {
        driver.get(baseUrl + path);
    }

    /** The path and query of the current page. */
    String path() {
        String url = driver.getCurrentUrl();
        return url.startsWith(baseUrl) ? url.substring(baseUrl.length()) : url;
    }

    /** Waits until an element matching {@code css} is visible, and returns it. */
    WebElement waitFor(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Waits until the first element matching {@code css} contains {@code text}, and returns it. */
    WebElement waitForText(String css, String text) {
        wait.withMessage(() -> "'" + text + "' in " + css + " on " + path()).until(
                ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits until the page's path starts with {@code prefix}. */
    void waitForPath(String prefix) {
        wait.withMessage(() -> "path starting " + prefix + ", at " + path()).until(d -> path().startsWith(prefix));
    }

    /** Waits until {@code condition} holds, polling; {@code what} names it in the failure. */
    void waitUntil(String what, java.util.function.BooleanSupplier condition) {
        wait.withMessage(what).until(d -> condition.getAsBoolean());
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    String text(String css) {
        return waitFor(css).getText();
    }

    void type(String css, String text) {
        WebElement field = waitFor(css);
        field.clear();
        field.sendKeys(text);
    }

    void click(String css) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    }

    /** Answers the {@code window.confirm} a {@code data-confirm} form asks: OK when {@code accept}, else Cancel. */
    void answerConfirm(boolean accept) {
        var alert = wait.until(ExpectedConditions.alertIsPresent());
        if (accept) {
            alert.accept();
        } else {
            alert.dismiss();
        }
    }

    /** Runs {@code script} in the page and returns its value ({@code return ...}). */
    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /**
     * A form post made by the page's own script, as a forged or replayed request would be: returns
     * the response status. {@code withCsrf} adds the page's CSRF token to the body.
     */
    long postFromPage(String path, boolean withCsrf) {
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("""
                var done = arguments[arguments.length - 1];
                var body = arguments[1] ? '_csrf=' + encodeURIComponent(document.querySelector('meta[name=csrf-token]').content) : '';
                fetch(arguments[0], { method: 'POST', redirect: 'manual',
                    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body })
                  .then(function (r) { done(r.status); }, function (e) { done(String(e)); });
                """, path, withCsrf);
        if (!(status instanceof Number n)) {
            throw new AssertionError("fetch " + path + " failed: " + status);
        }
        return n.longValue();
    }

    /** Script errors, failed loads and CSP violations since the last call, each prefixed with its page's path. */
    List<String> errors() {
        Object list = script("try { var l = sessionStorage.getItem(arguments[0]); sessionStorage.removeItem(arguments[0]);"
                + " return l ? JSON.parse(l) : []; } catch (e) { return []; }", ERRORS_KEY);
        List<String> errors = new ArrayList<>();
        if (list instanceof List<?> items) {
            items.forEach(item -> errors.add(String.valueOf(item)));
        }
        return errors;
    }

    /**
     * Saves the viewport as {@code docs/screenshots/NAME.png}, only when the system property
     * {@code postroom.screenshots} is {@code true}, so ordinary test runs leave the tracked images alone.
     */
    void screenshot(String name) {
        if (!Boolean.getBoolean("postroom.screenshots")) {
            return;
        }
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
