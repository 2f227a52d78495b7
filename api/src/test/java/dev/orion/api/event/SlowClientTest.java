package dev.orion.api.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.http.WebConfig;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.SseClient;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading does not hold up the others: its stream's queue fills, the replica
 * closes it, the reading client gets every event meanwhile, and the stalled one, resuming from
 * the last id it got, misses nothing.
 */
class SlowClientTest {
  /** About 6 MB of frames: far more than a stream's queue and the socket buffers hold. */
  static final int EVENTS = 40_000;
  /**
   * Frames a stream may queue: 4 × the default, so the reading client, which shares the cores
   * with the server and the database, keeps up through a pause of its own; the stalled one (a
   * 4 KB receive buffer) still fills it many times over.
   */
  static final int QUEUE = 4096;
  static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void aStalledClientIsDroppedWhileOthersGetEverythingAndItResumesWithoutLoss() throws Exception {
    try (ApiHarness api = ApiHarness.start(WebConfig.defaults().withClientQueue(QUEUE))) {
      String admin = api.adminToken();
      try (SseClient reading = SseClient.bearer(api.url(), admin, null);
          Socket stalled = new Socket()) {
        stalled.setReceiveBufferSize(4096);
        stalled.connect(new InetSocketAddress("127.0.0.1", api.app.port()));
        OutputStream out = stalled.getOutputStream();
        out.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Awaitility.await().atMost(WAIT).until(() -> api.app.openEventStreams() == 2);

        api.db.jdbi().useTransaction(h -> {
          List<Event> batch = new ArrayList<>();
          for (int i = 0; i < EVENTS; i++) {
            batch.add(Event.pool("slow", Instant.now(), "test", "awake", "awake", "event " + i));
          }
          EventLog.append(h, batch);
        });
        List<SseClient.Frame> got = reading.eventsUntil(f -> f.data().contains("\"event " + (EVENTS - 1) + "\""), WAIT);
        assertEquals(EVENTS, got.size(), "the reading client got every event");
        Awaitility.await().atMost(WAIT).until(() -> api.app.openEventStreams() == 1);

        // The stalled client reads what reached it before the close, and resumes after its last id.
        stalled.setSoTimeout(5000);
        long lastId = lastId(stalled.getInputStream());
        long firstId = got.get(0).id();
        assertTrue(lastId < firstId + EVENTS - 1, "it was dropped before the end (" + lastId + ")");
        try (SseClient resumed = SseClient.bearer(api.url(), admin, lastId)) {
          List<SseClient.Frame> rest = resumed.eventsUntil(f -> f.id() == firstId + EVENTS - 1, WAIT);
          assertEquals(lastId + 1, rest.get(0).id());
          assertEquals(firstId + EVENTS - 1 - lastId, rest.size(), "nothing lost, nothing twice");
        }
      }
    }
  }

  /** The last complete event's id in what the server sent before it closed (chunked body). */
  private static long lastId(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    try {
      // Until the server closes, or the end of its body went by (a kept-alive connection stays open).
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException e) {
      // nothing more came
    }
    String raw = all.toString(StandardCharsets.UTF_8);
    String body = dechunk(raw.substring(raw.indexOf("\r\n\r\n") + 4));
    Matcher m = Pattern.compile("id: (\\d+)\nevent: [a-z]+\ndata: [^\n]*\n\n").matcher(body);
    long last = -1;
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    return last;
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int eol = s.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size;
      try {
        size = Integer.parseInt(s.substring(i, eol).split(";")[0].strip(), 16);
      } catch (NumberFormatException e) {
        break;
      }
      if (size == 0 || eol + 2 + size > s.length()) {
        out.append(s, Math.min(eol + 2, s.length()), Math.min(eol + 2 + size, s.length()));
        break;
      }
      out.append(s, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
