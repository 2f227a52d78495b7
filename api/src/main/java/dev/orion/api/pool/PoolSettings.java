package dev.orion.api.pool;

import java.util.List;

/** A pool's validated settings. */
record PoolSettings(String pool, String driver, int graceMinutes, int userWakeMinutes,
    List<PoolRequests.WebhookBody> webhooks, List<String> argocdApplications) {
  /** Workers that registered this recently are left awake when their pool goes to sleep. */
  static final int DEFAULT_GRACE_MINUTES = 15;
}
