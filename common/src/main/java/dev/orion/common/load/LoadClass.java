package dev.orion.common.load;

import java.util.Locale;

/**
 * How busy a worker is: low below 33 %, moderate below 66 %, high above. Placement gives out low
 * workers before moderate ones and high ones only when nothing else is free.
 */
public enum LoadClass {
  LOW,
  MODERATE,
  HIGH;

  static final double MODERATE_FROM = 33;
  static final double HIGH_FROM = 66;

  /** The class of {@code percent} with no history. */
  public static LoadClass of(double percent) {
    return percent < MODERATE_FROM ? LOW : percent < HIGH_FROM ? MODERATE : HIGH;
  }

  /**
   * The class of {@code percent} for a worker now in {@code current}: it changes only once the
   * value is {@code hysteresis} points past a border, so a worker hovering at 33 % does not flap.
   */
  public static LoadClass next(LoadClass current, double percent, double hysteresis) {
    LoadClass plain = of(percent);
    if (current == null || plain == current) {
      return plain;
    }
    return plain.ordinal() > current.ordinal() ? of(percent - hysteresis) : of(percent + hysteresis);
  }

  /** The label and JSON spelling ({@code low}, {@code moderate}, {@code high}). */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
