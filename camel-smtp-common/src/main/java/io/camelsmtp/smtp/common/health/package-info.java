/** The base of the components' readiness checks for Camel's health check registry. */
package io.camelsmtp.smtp.common.health;
