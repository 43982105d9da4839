package io.moestream.router.it;

import static io.moestream.router.testing.Chunks.tokenChunk;
import static io.moestream.router.testing.SkewedModelResource.HOT;
import static io.moestream.router.testing.SkewedModelResource.REPLY_TOPIC;
import static io.moestream.router.testing.SkewedModelResource.SPEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.moestream.core.testing.TestTensors;
import io.moestream.core.topics.Topics;
import io.moestream.router.testing.SkewedModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The router's live page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against
 * the running router: with a skewed model, the page must draw the layer's heatmap with the hot expert at full colour
 * and show the imbalance alert, both pushed by server-sent events. Skips, saying why, where Chromium is not installed.
 */
@QuarkusTest
@QuarkusTestResource(value = SkewedModelResource.class, restrictToAnnotatedClass = true)
class LoadPageIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    /** An expert the skewed model rarely picks: a cold expert in every alert this model raised in our runs. */
    private static final int COLD = 5;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/load.html")
    URI page;

    @Test
    void shouldDrawTheHeatmapOfTheSkewedModelAndShowItsAlert() {
        Optional<String> missing = missingBrowser();
        missing.ifPresent(reason -> System.out.println("LoadPageIT skipped: " + reason));
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElse(""));

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        ChromeDriver browser = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer())) {
            // given token chunks flowing through the skewed router, 4 per second
            AtomicInteger seq = new AtomicInteger();
            traffic.scheduleAtFixedRate(() -> send(producer, seq.getAndIncrement()), 0, 250, TimeUnit.MILLISECONDS);

            // when the page is open
            browser = new ChromeDriver(service, options);
            browser.get(page.toString());

            // then the alert shows, naming the hot expert
            new WebDriverWait(browser, DEADLINE)
                    .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alerts li.alert")));
            // and the heatmap has a row per expert, the hot one at full red in the latest window; read in one
            // script, because every server-sent event redraws the page
            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) browser.executeScript("""
                    const colour = (e) => { const cells = document.querySelectorAll(
                        "#layer-0 td.cell[data-expert='" + e + "']");
                      return getComputedStyle(cells[cells.length - 1]).backgroundColor; };
                    return {alert: document.querySelector('#alerts li.alert').textContent,
                            rows: document.querySelectorAll('#layer-0 table.heatmap tr').length,
                            hot: colour(arguments[0]), cold: colour(arguments[1])};""", HOT, COLD);
            assertThat((String) seen.get("alert")).contains("IMBALANCE", "layer 0", "hot experts [" + HOT + "]");
            assertThat(((Number) seen.get("rows")).intValue()).isEqualTo(1 + SPEC.experts());
            assertThat(seen.get("hot")).isEqualTo("rgb(255, 0, 0)");
            assertThat(seen.get("cold")).isNotEqualTo("rgb(255, 0, 0)");
            System.out.println("LoadPageIT: the page shows " + seen);
        } finally {
            traffic.shutdownNow();
            if (browser != null) {
                browser.quit();
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, int seq) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.DEFAULT.tokens(), "req-" + seq,
                tokenChunk("req-" + seq, 0, 0, TestTensors.uniform(256, SPEC.dModel(), 500L + seq, 1f)));
        record.headers().add(Topics.REPLY_TO_HEADER, REPLY_TOPIC.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    private static Optional<String> missingBrowser() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                return Optional.of(binary + " not found: install Debian's chromium and chromium-driver (see .ci/run)");
            }
        }
        return Optional.empty();
    }
}
