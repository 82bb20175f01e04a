package io.camelsmtp.smtp.relay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** The outcome of one delivery attempt, per recipient, in the order of the envelope. */
public final class DeliveryReport {

    private final List<RecipientResult> results;

    public DeliveryReport(List<RecipientResult> results) {
        this.results = Collections.unmodifiableList(new ArrayList<>(results));
    }

    public List<RecipientResult> getResults() {
        return results;
    }

    public List<RecipientResult> getDelivered() {
        return with(RecipientResult.Status.DELIVERED);
    }

    public List<RecipientResult> getDeferred() {
        return with(RecipientResult.Status.DEFERRED);
    }

    public List<RecipientResult> getFailed() {
        return with(RecipientResult.Status.FAILED);
    }

    public boolean isAllDelivered() {
        return results.stream().allMatch(r -> r.getStatus() == RecipientResult.Status.DELIVERED);
    }

    /** The result for {@code recipient}, or null. */
    public RecipientResult get(String recipient) {
        return results.stream().filter(r -> r.getRecipient().equals(recipient)).findFirst().orElse(null);
    }

    private List<RecipientResult> with(RecipientResult.Status status) {
        return results.stream().filter(r -> r.getStatus() == status).collect(Collectors.toUnmodifiableList());
    }

    @Override
    public String toString() {
        return results.stream().map(RecipientResult::toString).collect(Collectors.joining("\n"));
    }
}
