package dev.orion.scheduler.pool;

import dev.orion.common.schedule.Action;
import java.util.List;

/**
 * What to do for one pool this round, decided by {@link PoolDecision} without touching anything.
 *
 * @param desired the state the pool should be in now
 * @param why what asks for it (schedule, manual override, protection), for events and logs
 * @param enterSleep the pool goes to sleep now: before-sleep hooks, then it is recorded asleep
 * @param suspend free nodes to cordon (suspended) and stop through the driver
 * @param stopAgain cordoned nodes whose driver stop has not succeeded yet
 * @param resume restore records to wake: the nodes this pool suspended, and only those
 * @param stale restore records whose node someone else took out of suspension: closed, untouched
 * @param leaveSleep the pool wakes now: recorded awake after the resumes, then after-wake hooks
 * @param restoreArgo ArgoCD sync policies saved before sleeping are still to be put back
 */
public record PoolPlan(Action desired, String why, boolean enterSleep, List<PoolSnapshot.Node> suspend,
    List<PoolSnapshot.Suspension> stopAgain, List<PoolSnapshot.Suspension> resume,
    List<PoolSnapshot.Suspension> stale, boolean leaveSleep, boolean restoreArgo) {

  public boolean idle() {
    return !enterSleep && suspend.isEmpty() && stopAgain.isEmpty() && resume.isEmpty() && stale.isEmpty()
        && !leaveSleep && !restoreArgo;
  }
}
