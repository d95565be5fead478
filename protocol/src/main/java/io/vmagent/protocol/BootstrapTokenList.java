package io.vmagent.protocol;

import java.util.List;

/**
 * The bootstrap tokens, newest first.
 *
 * @param tokens the tokens, without secrets
 */
public record BootstrapTokenList(List<BootstrapTokenInfo> tokens) {

  /** Normalises an absent list to an empty one. */
  public BootstrapTokenList {
    tokens = Copies.list(tokens);
  }
}
