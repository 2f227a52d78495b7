package dev.orion.scheduler.pool;

/**
 * How a pool's workers are put to sleep and woken: {@code sandbox} (the local sandbox workers),
 * {@code docker} (worker containers), {@code command} (operator commands for metal, such as
 * {@code ssh … poweroff} and {@code wakeonlan}) or {@code none} (cordon only: the worker is not
 * rentable, nothing is powered down). Both operations are idempotent: a retried step is harmless.
 */
public interface PoolDriver {
  /** The worker a driver acts on. */
  record Target(long nodeId, String hostname, String ip, int sshPort) {}

  /** A step that did not happen; the reconciler retries it and shows it as an event. */
  final class DriverException extends Exception {
    public DriverException(String message) {
      super(message);
    }

    public DriverException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  String name();

  /** Stops the worker: afterwards its SSH port answers nothing. */
  void suspend(Target node) throws DriverException, InterruptedException;

  /** Starts it again as it was: same name, address, port, host key and node token. */
  void resume(Target node) throws DriverException, InterruptedException;

  /** Cordon only. */
  PoolDriver NONE = new PoolDriver() {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public void suspend(Target node) {}

    @Override
    public void resume(Target node) {}
  };
}
