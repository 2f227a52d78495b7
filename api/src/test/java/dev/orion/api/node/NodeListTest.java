package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeListTest {
  private final AtomicInteger loads = new AtomicInteger();

  private List<NodeViews.Entry> load() {
    loads.incrementAndGet();
    return new ArrayList<>();
  }

  @Test
  void oneLoadServesEveryReadInTheWindowUntilInvalidated() {
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    List<NodeViews.Entry> first = list.rows();
    assertSame(first, list.rows());
    assertEquals(1, loads.get());
    list.invalidate();
    list.rows();
    assertEquals(2, loads.get(), "a write through this process is seen at once");
  }

  @Test
  void concurrentReadersShareOneLoad() throws Exception {
    NodeList list = new NodeList(this::load, Duration.ofHours(1));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch gate = new CountDownLatch(1);
    for (int i = 0; i < 64; i++) {
      pool.submit(() -> {
        gate.await();
        return list.rows();
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
    list.rows();
    list.rows();
    assertEquals(2, loads.get());
  }
}
