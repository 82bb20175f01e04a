package io.camelsmtp.smtp.relay.testbed;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(TestbedExtension.class)}: one {@link Testbed} per test JVM, started by the first class that needs
 * it and stopped when the whole run ends (the root store closes it). Without the Debian packages, or without the
 * right to listen on port 25, every test is skipped with the reason and the apt-get line, in the
 * report and on stderr; a test bed that is installed but fails to start fails the tests instead.
 */
public final class TestbedExtension implements BeforeAllCallback, ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestbedExtension.class);
    private static volatile String missing;
    private static volatile boolean checked;

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = missingPrerequisite();
        if (why != null) {
            System.err.println("*** SKIPPING every test of " + context.getDisplayName() + ": test bed unavailable: " + why);
            return;
        }
        testbed(context);
    }

    /**
     * Each test, not the class, is skipped, so that Surefire counts and reports every one with the reason. This is a
     * condition rather than an assumption failed in beforeEach: Camel's ContextManagerExtension throws a
     * NullPointerException in afterEach when a test is aborted before its own beforeEach ran.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("decided per test");
        }
        String why = missingPrerequisite();
        return why == null ? ConditionEvaluationResult.enabled("test bed available")
                : ConditionEvaluationResult.disabled("test bed unavailable: " + why);
    }

    private static String missingPrerequisite() {
        if (!checked) {
            synchronized (TestbedExtension.class) {
                if (!checked) {
                    missing = Testbed.missingPrerequisite();
                    checked = true;
                }
            }
        }
        return missing;
    }

    private static Testbed testbed(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Testbed.class, k -> {
            try {
                long t0 = System.nanoTime();
                Testbed tb = new Testbed().start();
                System.out.println("TESTBED started in " + (System.nanoTime() - t0) / 1_000_000 + " ms " + tb.startMillis());
                return tb;
            } catch (Exception e) {
                throw new IllegalStateException("test bed failed to start: " + e.getMessage(), e);
            }
        }, Testbed.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Testbed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return missingPrerequisite() == null ? testbed(context) : null;
    }
}
