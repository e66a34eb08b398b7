package dev.bertj.app.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load client for {@code POST /v1/embed}: N closed-loop clients (each sends its next request when the previous
 * answer arrives) for a fixed time, one short sentence per request. Prints throughput, latency percentiles,
 * status counts and, given the service's pid, its peak RSS.
 *
 * <pre>
 * java -cp app/target/test-classes dev.bertj.app.load.EmbedLoad http://localhost:8080 32 120 [PID]
 * </pre>
 */
public final class EmbedLoad {

    static final String[] SENTENCES = {
        "A man is playing a guitar.", "The new movie is awesome.", "The cat sits outside.",
        "A woman is watching television.", "The stock market fell sharply today after the announcement.",
        "Two dogs are running through a grassy field.", "I love pasta with fresh tomatoes and basil.",
        "The train to Berlin leaves at seven in the morning.", "Children are playing in the park.",
        "She reads a book about the history of mathematics.", "The weather will be sunny tomorrow.",
        "He forgot his umbrella and got wet in the rain.",
    };

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int clients = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        long pid = args.length > 3 ? Long.parseLong(args[3]) : -1;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(clients);
        long[] peakRss = {0};
        Thread sampler = new Thread(() -> {
            while (done.getCount() > 0 && pid > 0) {
                peakRss[0] = Math.max(peakRss[0], rssKb(pid));
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int id = c;
            long[] mine = new long[1 << 20];
            int[] count = {0};
            synchronized (latencies) {
                latencies.add(mine);
            }
            Thread t = new Thread(() -> {
                int i = id;
                try {
                    while (System.nanoTime() < end) {
                        String body = "{\"inputs\": \"" + SENTENCES[i++ % SENTENCES.length] + "\"}";
                        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/embed")).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                                .build();
                        long s = System.nanoTime();
                        int status;
                        try {
                            status = http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            continue;
                        }
                        long took = System.nanoTime() - s;
                        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        if (status == 200 && count[0] < mine.length) {
                            mine[count[0]++] = took;
                        }
                    }
                } finally {
                    mine[mine.length - 1] = count[0];
                    done.countDown();
                }
            });
            t.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        List<Long> all = new ArrayList<>();
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            for (int i = 0; i < n; i++) {
                all.add(l[i]);
            }
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        long ok = sorted.length;
        System.out.printf("clients %d, %.0f s: %d ok (%.1f req/s), statuses %s, connection errors %d%n", clients, elapsed,
                ok, ok / elapsed, new TreeMap<>(statuses), errors.get());
        if (ok > 0) {
            System.out.printf("latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f%n", pct(sorted, 50), pct(sorted, 95),
                    pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
        }
        if (pid > 0) {
            System.out.printf("service RSS: peak %.0f MB, now %.0f MB%n", peakRss[0] / 1024.0, rssKb(pid) / 1024.0);
        }
    }

    static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
