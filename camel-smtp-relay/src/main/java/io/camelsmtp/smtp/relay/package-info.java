/**
 * The {@code smtp-relay} component (outbound delivery by MX or to a smart host). This module only reserves the
 * package and its dependency on the shared envelope headers; the component itself is the subject of its own issue.
 */
package io.camelsmtp.smtp.relay;
