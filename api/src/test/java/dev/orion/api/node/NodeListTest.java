package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.orion.api.auth.Principal;
import dev.orion.api.http.RenderedJson;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class NodeListTest {
  private static final Principal ALICE = new Principal(1, "alice", Principal.USER);
  private static final Principal BOB = new Principal(2, "bob", Principal.USER);
  private static final Principal CAROL = new Principal(3, "carol", Principal.USER);
  private static final Principal ADMIN = new Principal(9, "admin", Principal.ADMIN);

  private final AtomicInteger loads = new AtomicInteger();
  private List<NodeViews.Entry> entries = List.of();

  private List<NodeViews.Entry> load() {
    loads.incrementAndGet();
    return entries;
  }

  private static NodeViews.Entry free(String name) {
    byte[] json = bytes("{\"n\":\"" + name + "\"}");
    return new NodeViews.Entry(json, json, bytes("{\"n\":\"" + name + "\",\"ip\":1}"), null);
  }

  private static NodeViews.Entry leased(String name, long owner) {
    return new NodeViews.Entry(bytes("{\"n\":\"" + name + "\"}"),
        bytes("{\"n\":\"" + name + "\",\"owner\":" + owner + "}"),
        bytes("{\"n\":\"" + name + "\",\"owner\":" + owner + ",\"ip\":1}"), owner);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void eachUserSeesLeaseDetailsOfOwnLeasesOnlyAndAdminsSeeEverything() {
    entries = List.of(free("a"), leased("b", 1), leased("c", 2), free("d"));
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    assertEquals("[{\"n\":\"a\"},{\"n\":\"b\",\"owner\":1},{\"n\":\"c\"},{\"n\":\"d\"}]",
        text(list.json(ALICE).json()));
    assertEquals("[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\",\"owner\":2},{\"n\":\"d\"}]",
        text(list.json(BOB).json()));
    assertEquals("[{\"n\":\"a\"},{\"n\":\"b\"},{\"n\":\"c\"},{\"n\":\"d\"}]", text(list.json(CAROL).json()));
    assertEquals("[{\"n\":\"a\",\"ip\":1},{\"n\":\"b\",\"owner\":1,\"ip\":1},{\"n\":\"c\",\"owner\":2,\"ip\":1},"
        + "{\"n\":\"d\",\"ip\":1}]", text(list.json(ADMIN).json()));
    assertEquals(1, loads.get());
  }

  @Test
  void sharedAnswersAreGzippedOnceAndPerCallerOnesAreLeftToTheServer() throws Exception {
    entries = List.of(free("a".repeat(RenderedJson.MIN_GZIP_BYTES)), leased("b", 1));
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    for (Principal shared : List.of(CAROL, ADMIN)) {
      RenderedJson r = list.json(shared);
      assertEquals(text(r.json()),
          text(new GZIPInputStream(new ByteArrayInputStream(r.gzip())).readAllBytes()));
    }
    assertNull(list.json(ALICE).gzip());
    entries = List.of(free("small"));
    list.invalidate();
    assertNull(list.json(CAROL).gzip(), "not worth compressing");
  }

  @Test
  void emptyFleetIsAnEmptyArray() {
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    assertEquals("[]", text(list.json(CAROL).json()));
    assertEquals("[]", text(list.json(ADMIN).json()));
  }

  @Test
  void oneLoadServesEveryReadInTheWindowUntilInvalidated() {
    entries = List.of(free("a"));
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    RenderedJson first = list.json(CAROL);
    assertSame(first, list.json(BOB), "callers without leases share one rendered answer");
    assertEquals(1, loads.get());
    list.invalidate();
    entries = List.of(free("a"), free("b"));
    assertEquals("[{\"n\":\"a\"},{\"n\":\"b\"}]", text(list.json(CAROL).json()),
        "a write through this process is seen at once");
    assertEquals(2, loads.get());
  }

  @Test
  void concurrentReadersShareOneLoad() throws Exception {
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < 64; i++) {
      pool.submit(() -> {
        gate.await();
        return list.json(CAROL);
      });
    }
    gate.countDown();
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    assertEquals(1, loads.get());
  }

  @Test
  void zeroMaxAgeReadsThrough() {
    NodeList list = new NodeList(this::load, Duration.ZERO);
    list.json(CAROL);
    list.json(CAROL);
    assertEquals(2, loads.get());
  }
}
