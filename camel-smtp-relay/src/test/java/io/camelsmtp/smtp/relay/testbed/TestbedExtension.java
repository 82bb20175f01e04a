package io.camelsmtp.smtp.relay.testbed;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(TestbedExtension.class)}: one {@link Testbed} per test JVM, started by the first class that needs
 * it and stopped when the whole run ends (the root store closes it). Without the Debian packages, or without root,
 * the classes are skipped with the reason (and the apt-get line) in the report and on stderr; a test bed that is
 * installed but fails to start fails the tests instead.
 */
public final class TestbedExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestbedExtension.class);
    private static volatile String missing;
    private static volatile boolean checked;

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = missingPrerequisite();
        if (why != null) {
            System.err.println("*** SKIPPING " + context.getDisplayName() + ": test bed unavailable: " + why);
        }
        Assumptions.assumeTrue(why == null, () -> "test bed unavailable: " + why);
        testbed(context);
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
        return testbed(context);
    }
}
