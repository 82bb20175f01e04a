package io.camelsmtp.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module graph as a test: common at the bottom; smtp-server, smtp-relay, smtp-queue and smtp-auth each on common
 * only, with no arrow between them (the queue reads delivery outcomes through common's contract, not the relay's
 * classes; smtp-auth does its DNS like the relay, not through it); the examples app on top. And no cycle between
 * any two packages of the project's main code. This module depends on all of them, so all their classes are on its
 * class path.
 */
class ModuleDependenciesTest {

    private static final String COMMON = "io.camelsmtp.smtp.common..";
    private static final String SERVER = "io.camelsmtp.smtp.server..";
    private static final String RELAY = "io.camelsmtp.smtp.relay..";
    private static final String QUEUE = "io.camelsmtp.smtp.queue..";
    private static final String AUTH = "io.camelsmtp.smtp.auth..";
    private static final String EXAMPLES = "io.camelsmtp.examples..";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.camelsmtp");
        for (String module : new String[] { COMMON, SERVER, RELAY, QUEUE, AUTH, EXAMPLES }) {
            String pkg = module.substring(0, module.length() - 2);
            assertTrue(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)), "no class of " + pkg + " found");
        }
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }

    @Test
    void commonDependsOnNoComponent() {
        check(noClasses().that().resideInAPackage(COMMON).should().dependOnClassesThat()
                .resideInAnyPackage(SERVER, RELAY, QUEUE, AUTH, EXAMPLES)
                .because("common is the bottom layer every component builds on"));
    }

    @Test
    void serverDependsOnCommonOnly() {
        check(noClasses().that().resideInAPackage(SERVER).should().dependOnClassesThat()
                .resideInAnyPackage(RELAY, QUEUE, AUTH, EXAMPLES)
                .because("the listener hands mail to routes; it knows neither the relay nor the queue"));
    }

    @Test
    void relayDependsOnCommonOnly() {
        check(noClasses().that().resideInAPackage(RELAY).should().dependOnClassesThat()
                .resideInAnyPackage(SERVER, QUEUE, AUTH, EXAMPLES)
                .because("the relay sends what any route gives it"));
    }

    @Test
    void queueDependsOnCommonOnly() {
        check(noClasses().that().resideInAPackage(QUEUE).should().dependOnClassesThat()
                .resideInAnyPackage(SERVER, RELAY, AUTH, EXAMPLES)
                .because("the queue delivers through any route and reads outcomes through common's DeliveryReport"));
    }

    @Test
    void authDependsOnCommonOnly() {
        check(noClasses().that().resideInAPackage(AUTH).should().dependOnClassesThat()
                .resideInAnyPackage(SERVER, RELAY, QUEUE, EXAMPLES)
                .because("the authentication steps work on any route's message; DNS is done like the relay, not by it"));
    }

    @Test
    void noPackageCycles() {
        check(slices().matching("io.camelsmtp.(**)").should().beFreeOfCycles());
    }
}
