package io.vmagent.agent;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The agent's packages depend on each other in one direction only: a package cycle would mean two
 * packages that can only be understood, changed and tested together.
 */
class PackageCyclesTest {
  private static final JavaClasses MAIN_CODE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.vmagent.agent");

  @Test
  void noPackageDependsOnAnotherThatDependsBackOnIt() {
    // Every package is a slice of its own, the top package and nested packages included.
    slices().matching("io.vmagent.(**)").should().beFreeOfCycles().check(MAIN_CODE);
  }
}
