package dev.orion.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenderedJsonTest {
  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL                     | false",
      "''                       | false",
      "gzip                     | true",
      "GZIP                     | true",
      "gzip, deflate, br        | true",
      "br;q=1.0, gzip;q=0.8     | true",
      "deflate, br              | false",
      "gzip;q=0                 | false",
      "gzip; q=0.000            | false",
      "gzip;q=0.001             | true",
      "x-gzip                   | false",
      "identity                 | false",
      "*                        | true",
      "br, *;q=0                | false",
      "gzip;q=0, *              | false",
      "*, gzip;q=0              | false",
  })
  void acceptsGzipOnlyWhenListedAndNotRefused(String header, boolean expected) {
    assertEquals(expected, RenderedJson.acceptsGzip(header));
  }
}
