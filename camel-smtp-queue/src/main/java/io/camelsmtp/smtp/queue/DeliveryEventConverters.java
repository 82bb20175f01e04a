package io.camelsmtp.smtp.queue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.Converter;

/** Lets a route use a {@link DeliveryEvent} body as JSON (text, bytes or a stream, e.g. for an HTTP POST)
 * or as a Map. */
@Converter(generateLoader = true)
public final class DeliveryEventConverters {

    private DeliveryEventConverters() {
    }

    @Converter
    public static String toJson(DeliveryEvent event) {
        return event.toJson();
    }

    @Converter
    public static byte[] toBytes(DeliveryEvent event) {
        return event.toJson().getBytes(StandardCharsets.UTF_8);
    }

    @Converter
    public static InputStream toInputStream(DeliveryEvent event) {
        return new ByteArrayInputStream(toBytes(event));
    }

    @Converter
    public static Map<String, Object> toMap(DeliveryEvent event) {
        return event.toMap();
    }
}
