package dev.postroom.example.backoffice;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The back office in headless Chromium: an operator clicks an action and watches it finish on its
 * page. Uses Debian's {@code chromium} and {@code chromium-driver}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "logging.level.dev.postroom=WARN", "logging.level.dev.postroom.example=WARN"})
class BackOfficeBrowserTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static ChromeDriver browser;

    @TempDir
    static Path data;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("back-office.data-dir", data::toString);
        registry.add("postroom.console.port", () -> "0");
        registry.add("back-office.bank-delay", () -> "50ms");
        registry.add("back-office.export-row-delay", () -> "1ms");
    }

    @BeforeAll
    static void startBrowser() {
        File chromium = new File("/usr/bin/chromium");
        File chromedriver = new File("/usr/bin/chromedriver");
        assertThat(chromium.canExecute() && chromedriver.canExecute())
                .as("the browser test needs Chromium: sudo apt-get install chromium chromium-driver").isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build(), options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebElement await(By element) {
        try {
            return new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.visibilityOfElementLocated(element));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no " + element + " on " + browser.getCurrentUrl() + ":\n" + browser.getPageSource(), e);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void anExportFinishesOnItsPageWithADownloadLink() throws Exception {
        browser.get(url("/"));

        browser.findElement(By.id("export")).click();

        WebElement download = await(By.id("download"));
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("SUCCEEDED");
        HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(download.getAttribute("href"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body()).startsWith("order_id,customer_id,total_cents,status\n").contains("\n1,1,");
    }

    @Test
    void aRefundShowsItsProgressAndItsResult() {
        browser.get(url("/"));

        browser.findElement(By.id("refund-2")).click();

        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "Refunded"));
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("SUCCEEDED");
        browser.get(url("/"));
        assertThat(browser.findElement(By.id("customer-2")).getText()).as("no open order left").contains(" 0 ");
    }

    @Test
    void aRefundOnHoldSaysSoAndSendsNothing() {
        browser.get(url("/"));

        browser.findElement(By.id("refund-5")).click();

        assertThat(await(By.id("notice")).getText()).contains("on hold").contains("nothing was refunded or sent");
    }

    @Test
    void anAnnouncementReachesEveryCustomer() {
        browser.get(url("/"));

        browser.findElement(By.id("subject")).sendKeys("New opening hours");
        browser.findElement(By.id("body")).sendKeys("We now open at 8.");
        browser.findElement(By.id("announce")).click();

        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.textToBePresentInElementLocated(By.id("state"), "Done"));
        assertThat(browser.findElement(By.id("sent")).getText()).isEqualTo(browser.findElement(By.id("total")).getText());
    }

    @Test
    void theConsoleLinkOpensPostroomsConsole() {
        browser.get(url("/"));

        String console = browser.findElement(By.id("console-link")).getAttribute("href");
        browser.get(console);

        assertThat(browser.getCurrentUrl()).contains("/console");
        assertThat(browser.getPageSource()).contains("Postroom");
        assertThat(browser.findElements(By.name("password"))).as("the console's sign-in form").hasSize(1);
    }
}
