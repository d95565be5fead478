package io.vmagent.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSequenceTest {
  @TempDir Path state;

  @Test
  void numbersKeepIncreasingAcrossRestartsAndCrashes() throws Exception {
    EventSequence first = new EventSequence(state);
    long a = first.next();
    long b = first.next();
    // A crash here: the rest of the reserved block is never used, and never repeated.
    EventSequence afterCrash = new EventSequence(state);
    long c = afterCrash.next();

    assertThat(b).isGreaterThan(a);
    assertThat(c).isGreaterThan(b);
  }

  @Test
  void damagedFileNeverLeadsToARepeatedNumber() throws Exception {
    EventSequence first = new EventSequence(state);
    long used = first.next();
    Files.writeString(state.resolve("event-sequence"), "garbage");

    assertThat(new EventSequence(state).next()).isGreaterThan(used);
  }
}
