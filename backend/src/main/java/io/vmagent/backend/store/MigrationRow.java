package io.vmagent.backend.store;

import java.time.Instant;

/**
 * One row of the migrations table: a VM's move from one agent's host to another's, the step it
 * reached ({@code state}), the command of that step and, once known, which agent holds the VM.
 */
public record MigrationRow(
    String migrationId,
    String vm,
    String sourceAgent,
    String destinationAgent,
    String optionsJson,
    String state,
    String stepCommand,
    String migrateCommand,
    String checkSourceCommand,
    String checkDestinationCommand,
    String holder,
    String message,
    Instant createdAt,
    Instant updatedAt) {

  /** This row moved on to {@code next} with {@code command} as the new step's command. */
  public MigrationRow step(String next, String command, Instant now) {
    return new MigrationRow(
        migrationId,
        vm,
        sourceAgent,
        destinationAgent,
        optionsJson,
        next,
        command,
        next.equals("migrating") ? command : migrateCommand,
        checkSourceCommand,
        checkDestinationCommand,
        holder,
        message,
        createdAt,
        now);
  }

  /** This row checking both hosts with the two commands. */
  public MigrationRow checking(String sourceCommand, String destinationCommand, Instant now) {
    return new MigrationRow(
        migrationId,
        vm,
        sourceAgent,
        destinationAgent,
        optionsJson,
        "checking",
        null,
        migrateCommand,
        sourceCommand,
        destinationCommand,
        holder,
        message,
        createdAt,
        now);
  }

  /** This row finished in {@code end} with the VM held by {@code holderAgent}. */
  public MigrationRow finished(String end, String holderAgent, String why, Instant now) {
    return new MigrationRow(
        migrationId,
        vm,
        sourceAgent,
        destinationAgent,
        optionsJson,
        end,
        stepCommand,
        migrateCommand,
        checkSourceCommand,
        checkDestinationCommand,
        holderAgent,
        why,
        createdAt,
        now);
  }
}
