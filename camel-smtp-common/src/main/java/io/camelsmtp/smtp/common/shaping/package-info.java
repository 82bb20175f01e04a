/**
 * Traffic shaping's shared contract: a {@link io.camelsmtp.smtp.common.shaping.Rate}, a pacer that holds one
 * ({@link io.camelsmtp.smtp.common.shaping.Pacer}), the limits in force for one destination site
 * ({@link io.camelsmtp.smtp.common.shaping.ShapingRule}, which the queue hands to the delivery route as an exchange
 * property and the relay honours), and how a domain's site is found
 * ({@link io.camelsmtp.smtp.common.shaping.SiteResolver}). The rules file, its matching and the reactions to replies
 * live in the queue, which decides when deliveries start.
 */
package io.camelsmtp.smtp.common.shaping;
