package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoostTableTest {
  private final BoostTable table = new BoostTable(10);

  private static Boost boost(String id, long expires) {
    return new Boost(id, null, null, null, 0.5, 1, false, expires, null, null, false);
  }

  @Test
  void listenersAreToldOfPutsRemovalsAndExpiriesAfterTheTablesLockIsReleased() {
    List<BoostTable.Change> changes = new ArrayList<>();
    List<Boolean> underLock = new ArrayList<>();
    table.onChange(c -> {
      changes.add(c);
      underLock.add(Thread.holdsLock(table));
    });
    Boost a = boost("a", 100);
    Boost b = boost("b", 200);
    table.put(a, 0);
    table.put(b, 0);
    table.remove("b", 10);
    table.remove("never-there", 10);
    table.expire(150);
    assertThat(changes).containsExactly(new BoostTable.Change(null, a), new BoostTable.Change(null, b),
        new BoostTable.Change(b, null), new BoostTable.Change(a, null));
    assertThat(underLock).containsOnly(false);
  }
}
