package io.camelsmtp.smtp.common.health;

import org.apache.camel.health.HealthCheck;

/**
 * What every readiness check of the components shares (the listener's, the queue's, the relay's DNS): an id, the
 * group {@code camel}, readiness only, and the switch Camel's registry may turn off. Subclasses implement
 * {@link #call(java.util.Map)}. (Camel's own {@code AbstractHealthCheck} lives in camel-health, which the components do
 * not depend on.)
 */
public abstract class ReadinessCheck implements HealthCheck {

    private final String id;
    private volatile boolean enabled = true;

    protected ReadinessCheck(String id) {
        this.id = id;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
