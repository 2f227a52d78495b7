package dev.orion.scheduler.metrics;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** How much due, unclaimed work each claim queue holds. */
public interface QueueDepthDao {
  record Depth(String queue, long depth) {}

  @UseClasspathSqlLocator
  @SqlQuery
  @RegisterConstructorMapper(Depth.class)
  List<Depth> depths(@Bind("now") Instant now, @Bind("stuckBefore") Instant stuckBefore);
}
