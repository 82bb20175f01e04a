package io.camelsmtp.smtp.relay.dane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The {@code daneTrustAnchors} option: DS or DNSKEY records in zone-file syntax, as in a {@code dsset-ZONE.} file of
 * {@code dnssec-signzone} or unbound's {@code root.key}/{@code trust-anchor-file}; unbound's configuration form
 * ({@code trust-anchor: "example. DS ..."}) is taken too (in a file with such lines, only they are read). A file
 * path, or {@code classpath:name}. Bounded (64 KiB, 256 records), no {@code $INCLUDE}; a file without any DS or
 * DNSKEY record is an error, so that a typo cannot switch validation to "everything insecure".
 */
public final class TrustAnchors {

    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_RECORDS = 256;

    private TrustAnchors() {
    }

    /** The DS/DNSKEY records at {@code location}, in the zone-file text dnsjava's validator loads. */
    public static String load(String location) throws IOException {
        byte[] raw;
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try (InputStream in = (loader != null ? loader : TrustAnchors.class.getClassLoader())
                    .getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
                if (in == null) {
                    throw new IOException("daneTrustAnchors: no resource " + resource);
                }
                raw = in.readNBytes(MAX_BYTES + 1);
            }
        } else {
            try (InputStream in = Files.newInputStream(Path.of(location))) {
                raw = in.readNBytes(MAX_BYTES + 1);
            }
        }
        if (raw.length > MAX_BYTES) {
            throw new IOException("daneTrustAnchors: " + location + " is larger than " + MAX_BYTES + " bytes");
        }
        return parse(new String(raw, StandardCharsets.UTF_8), location);
    }

    static String parse(String text, String where) throws IOException {
        // an unbound configuration: only its trust-anchor: lines count; anything else is zone-file text
        boolean unboundConf = text.lines().anyMatch(l -> l.strip().startsWith("trust-anchor:"));
        StringBuilder zone = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            String l = line.strip();
            if (l.startsWith("trust-anchor:")) {
                l = l.substring("trust-anchor:".length()).strip();
                l = l.startsWith("\"") && l.endsWith("\"") && l.length() > 1 ? l.substring(1, l.length() - 1) : l;
            } else if (unboundConf) {
                continue;
            }
            zone.append(l).append('\n');
        }
        List<Record> anchors = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(zone.toString().getBytes(StandardCharsets.UTF_8)),
                Name.root, 3600)) {
            master.disableIncludes(true); // strict: an $INCLUDE is an error, not silently skipped
            Record r;
            while ((r = master.nextRecord()) != null) {
                if (r.getType() == Type.DS || r.getType() == Type.DNSKEY) {
                    if (anchors.size() == MAX_RECORDS) {
                        throw new IOException("daneTrustAnchors: more than " + MAX_RECORDS + " records in " + where);
                    }
                    anchors.add(r);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("daneTrustAnchors: cannot read " + where + ": " + e.getMessage(), e);
        }
        if (anchors.isEmpty()) {
            throw new IOException("daneTrustAnchors: no DS or DNSKEY record in " + where);
        }
        StringBuilder out = new StringBuilder();
        for (Record r : anchors) {
            out.append(r).append('\n');
        }
        return out.toString();
    }
}
