package dev.callcontrol.local.scenario;

import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser (Debian's Chromium, headless, through its chromedriver): the
 * README's walkthrough done with clicks only, from the demo panel's phones to the agents' and the
 * supervisor's buttons, each step checked on what the simulator says each party hears. Where no
 * Chromium is installed the test is skipped, except in CI, whose {@code .ci/run} installs it.
 */
class ConsoleBrowserTest extends CallCentreScenario {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static WebDriver browser;
    private static Path profile;
    /**
     * Selenium's DevTools, which this test does not use, warns through java.util.logging when the
     * browser is newer than the CDP versions it ships: held here (loggers are weakly kept) and quiet.
     */
    private static final java.util.logging.Logger DEVTOOLS = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    @BeforeAll
    static void openTheBrowser() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI must install chromium and chromium-driver (.ci/run does)");
        }
        Assumptions.assumeTrue(installed, "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        DEVTOOLS.setLevel(Level.SEVERE);
        profile = Files.createTempDirectory("console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,1600", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).withSilent(true).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeTheBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    // ------------------------------------------------------------------ the page

    private static WebElement waitFor(Supplier<WebElement> find, String what) {
        return new WebDriverWait(browser, PATIENCE).withMessage(what).until(driver -> {
            try {
                WebElement found = find.get();
                return found != null && found.isDisplayed() && found.isEnabled() ? found : null;
            } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException e) {
                return null;
            }
        });
    }

    private static WebElement buttonIn(By scope, String name) {
        return waitFor(() -> browser.findElement(scope).findElements(By.tagName("button")).stream()
                .filter(b -> name.equals(b.getAccessibleName())).findFirst().orElse(null), "a button named " + name + " in " + scope);
    }

    private static By phone(String party) {
        return By.cssSelector("li[aria-label='Phone " + party + "']");
    }

    private static By call(String task) {
        return By.id("call-" + task);
    }

    /** Clicks the button, finding it again if the page replaced it meanwhile (a phone that stopped ringing, say). */
    private static void click(By scope, String name) {
        new WebDriverWait(browser, PATIENCE).withMessage("clicking " + name + " in " + scope).until(driver -> {
            try {
                buttonIn(scope, name).click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return false;
            }
        });
    }

    private static void signInAs(String worker) {
        click(By.id("demo-sign-in"), "Sign in as " + worker);
        new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElement(By.id("who")).getText().startsWith(worker));
    }

    /** Waits until the simulator says {@code party} hears exactly {@code expected}. */
    private static void hears(String party, Set<String> expected) {
        long until = System.nanoTime() + PATIENCE.toNanos();
        Set<String> heard = sim.hears(party);
        while (!heard.equals(expected) && System.nanoTime() < until) {
            sleep();
            heard = sim.hears(party);
        }
        assertEquals(expected, heard, party + " hears");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void chooseTarget(String task, String value) {
        WebElement picker = waitFor(() -> browser.findElement(call(task)).findElement(By.cssSelector("select[aria-label='Transfer target']")),
                "the transfer target picker");
        new WebDriverWait(browser, PATIENCE).until(driver -> new Select(picker).getOptions().stream()
                .anyMatch(o -> value.equals(o.getAttribute("value"))));
        new Select(picker).selectByValue(value);
    }

    private static List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    // ------------------------------------------------------------------ the walkthrough

    @Test
    void theReadmesWalkthroughWithClicksOnly() throws IOException {
        String customer = "+14155550401";
        browser.manage().logs().get(LogType.BROWSER);
        browser.get(runtime.baseUrl() + "/console/");
        waitFor(() -> browser.findElement(By.id("demo")), "the local demo panel");

        // A customer calls; the agent TaskRouter picks answers on their phone in the demo panel.
        WebElement number = browser.findElement(By.id("demo-customer"));
        number.clear();
        number.sendKeys(customer);
        click(By.id("demo"), "Place customer call");
        String agent = new WebDriverWait(browser, PATIENCE).until(driver -> sim.liveCall("alice") != null ? "alice" : sim.liveCall("bob") != null ? "bob" : null);
        String other = agent.equals("alice") ? "bob" : "alice";
        click(phone(agent), "Answer");
        hears(customer, Set.of(agent));
        String task = sim.liveCall(customer).path("conference").asText();

        // The agent holds and resumes.
        signInAs(agent);
        click(call(task), "Hold");
        hears(customer, Set.of(HOLD_MUSIC));
        click(call(task), "Resume");
        hears(customer, Set.of(agent));

        // Cold transfer to the other support agent, who answers.
        chooseTarget(task, "worker:" + WORKERS.get(other));
        click(call(task), "Cold transfer");
        hears(customer, Set.of(HOLD_MUSIC));
        click(phone(other), "Answer");
        hears(customer, Set.of(other));
        assertNull(sim.liveCall(agent), "the first agent left");

        // Warm transfer to carol: consult, then complete.
        signInAs(other);
        chooseTarget(task, "worker:" + DemoWorkspace.CAROL);
        click(call(task), "Warm transfer");
        click(phone("carol"), "Answer");
        hears(other, Set.of("carol"));
        hears(customer, Set.of(HOLD_MUSIC));
        waitFor(() -> browser.findElement(call(task)).findElement(By.cssSelector("[aria-label='Transfer history']")), "the transfer's history");
        // -Dconsole.screenshot=docs/console.png keeps the page as it is mid-call, for the README.
        if (System.getProperty("console.screenshot") != null) {
            new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElement(call(task)).getText().contains("CONSULTING"));
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), Path.of(System.getProperty("console.screenshot")), StandardCopyOption.REPLACE_EXISTING);
        }
        click(call(task), "Complete transfer");
        hears(customer, Set.of("carol"));

        // The supervisor monitors, then barges.
        signInAs("sam");
        click(call(task), "Monitor");
        click(phone("sam"), "Answer");
        hears("sam", Set.of(customer, "carol"));
        hears(customer, Set.of("carol"));
        click(call(task), "Barge");
        hears(customer, Set.of("carol", "sam"));

        // Carol hangs up the call for everyone from her console.
        signInAs("carol");
        click(call(task), "Hang up");
        new WebDriverWait(browser, PATIENCE).until(driver -> sim.liveCall(customer) == null);
        // Her wrap-up is still owed, so the call stays on her console, ended.
        new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElement(call(task)).findElement(By.cssSelector("[data-role=status]"))
                .getText().startsWith("Status: ended"));
        assertTrue(browser.findElement(By.id("error")).getText().isEmpty(), browser.findElement(By.id("error")).getText());
        assertEquals(List.of(), consoleErrors(), "errors in the browser's console");
    }

    @Test
    void anErrorFromTheApiIsShownAsTheApiWordsIt() {
        String customer = "+14155550402";
        Connected connected = connect(customer);
        browser.get(runtime.baseUrl() + "/console/");
        signInAs(connected.agent());
        WebElement to = waitFor(() -> browser.findElement(By.id("dial-to")), "the outbound number");
        to.clear();
        to.sendKeys("+442071838750");
        click(By.id("outbound"), "Call");
        new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElement(By.id("error")).getText()
                .equals("the product may not dial that number: it is outside DIAL_PREFIXES"));
        hangUp(customer);
    }
}
