package dev.orion.api.support;

import dev.orion.testkit.SandboxWorker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Stops many sandbox workers at once: each takes a moment for its namespace to wind down. */
public final class Workers {
  private Workers() {}

  public static void closeAll(List<SandboxWorker> workers) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(64, workers.size())));
    try {
      CompletableFuture.allOf(workers.stream()
          .map(w -> CompletableFuture.runAsync(w::close, pool))
          .toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdown();
    }
  }
}
