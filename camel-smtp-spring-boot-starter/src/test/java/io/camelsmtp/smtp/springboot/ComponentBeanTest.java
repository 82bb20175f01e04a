package io.camelsmtp.smtp.springboot;

import io.camelsmtp.smtp.server.SmtpServerComponent;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A component the application declares as a bean (as docs/embedding.md showed before there was a starter) keeps what
 * it set in Java, and still gets what camel.component.* sets: the starter copies only the properties the application
 * sets, not every default.
 */
@SpringBootTest(classes = ComponentBeanTest.BeanApplication.class,
                webEnvironment = SpringBootTest.WebEnvironment.NONE,
                properties = { "camel.main.routes-collector-enabled = false", // not SpringBootStarterTest's YAML routes
                               "camel.component.smtp-server.use-global-ssl-context-parameters = true" })
class ComponentBeanTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class BeanApplication {

        @Bean("smtp-server")
        SmtpServerComponent smtpServer() {
            SmtpServerComponent component = new SmtpServerComponent();
            component.setBridgeErrorHandler(true);
            return component;
        }
    }

    @Autowired
    CamelContext camelContext;

    @Autowired
    SmtpServerComponent bean;

    @Test
    void beanKeepsItsJavaSettingsAndGetsTheProperties() {
        SmtpServerComponent component = camelContext.getComponent("smtp-server", SmtpServerComponent.class);
        assertSame(bean, component, "Camel uses the bean named like the scheme");
        assertTrue(component.isBridgeErrorHandler(), "set in Java, not overwritten by the property's default");
        assertTrue(component.isUseGlobalSslContextParameters(), "set by camel.component.smtp-server.*");
        assertFalse(component.isLazyStartProducer());
    }
}
