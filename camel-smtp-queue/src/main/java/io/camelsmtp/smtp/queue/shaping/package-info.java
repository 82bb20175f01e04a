/**
 * Traffic shaping of the queue's deliveries: the rules file ({@link io.camelsmtp.smtp.queue.shaping.ShapingParser},
 * {@link io.camelsmtp.smtp.queue.shaping.ShapingRulesFile}), sites and their live state
 * ({@link io.camelsmtp.smtp.queue.shaping.Shaper}, {@link io.camelsmtp.smtp.queue.shaping.SiteState}) and the MX
 * look-ups that group domains into sites. The delivery scheduler asks it before each delivery starts.
 */
package io.camelsmtp.smtp.queue.shaping;
