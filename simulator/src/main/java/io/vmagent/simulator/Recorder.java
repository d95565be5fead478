package io.vmagent.simulator;

/**
 * Points requests at the window they start in: the registration storm, the warm-up, the steady
 * state; requests that start after the last window are not recorded.
 */
final class Recorder {
  private static final WindowStats DISCARD = new WindowStats("discarded", 1);
  private volatile WindowStats current;

  Recorder(WindowStats first) {
    this.current = first;
  }

  /** The window a request starting now belongs to. */
  WindowStats current() {
    WindowStats window = current;
    return window == null ? DISCARD : window;
  }

  void switchTo(WindowStats window) {
    current = window;
  }

  void stopRecording() {
    current = null;
  }
}
