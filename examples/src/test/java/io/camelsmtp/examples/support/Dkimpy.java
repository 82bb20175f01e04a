package io.camelsmtp.examples.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * dkimpy (Debian's python3-dkim, under /usr/bin/python3) as an independent judge of our DKIM signatures: it sees only
 * the key records the test gives it (its {@code dnsfunc}), never real DNS.
 */
public final class Dkimpy {

    public static final String PYTHON = "/usr/bin/python3";

    /** Prints dkimpy's verdict per DKIM-Signature, top-most first: pass or fail (none without a signature). */
    private static final String SCRIPT = """
            import sys, dkim
            m = open(sys.argv[1], 'rb').read()
            if b'\\r\\n' not in m:
                m = m.replace(b'\\n', b'\\r\\n')
            records = {}
            for line in open(sys.argv[2], encoding='ascii'):
                name, text = line.rstrip('\\n').split(' ', 1)
                records[name.lower()] = text.encode('ascii')
            def dns(name, timeout=5):
                return records.get(name.decode('ascii').lower().rstrip('.'))
            def verdict(d, i):
                try:
                    return 'pass' if d.verify(idx=i, dnsfunc=dns) else 'fail'
                except dkim.ValidationError:  # dkimpy raises on a body hash mismatch
                    return 'fail'
            d = dkim.DKIM(m)
            n = sum(1 for f in d.headers if f[0].lower() == b'dkim-signature')
            print(' '.join(verdict(d, i) for i in range(n)) or 'none')
            """;

    private Dkimpy() {
    }

    public static void assumeInstalled() {
        assumeTrue(Peers.runs(PYTHON, "-c", "import dkim, nacl"),
                "SKIPPED: " + PYTHON + " has no dkim/nacl module (Debian: python3-dkim, python3-nacl), the DKIM judge");
    }

    /** dkimpy's verdicts for the message with these key records (name without the final dot -> TXT text). */
    public static List<String> verify(Path dir, byte[] message, Map<String, String> records) throws Exception {
        Path script = Files.writeString(dir.resolve("dkimpy-verify.py"), SCRIPT);
        Path msg = Files.write(dir.resolve("dkimpy-" + System.nanoTime() + ".eml"), message);
        StringBuilder keys = new StringBuilder();
        records.forEach((name, text) -> keys.append(name).append(' ').append(text).append('\n'));
        Path keyFile = Files.writeString(dir.resolve("dkimpy-keys.txt"), keys);
        Process p = new ProcessBuilder(PYTHON, script.toString(), msg.toString(), keyFile.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertTrue(p.exitValue() == 0, out);
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        return List.of(last.split(" "));
    }

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    /**
     * The owner name (without the final dot) and the joined text of a record in zone-file form, {@code name. IN TXT
     * ( "..." "..." )}, as {@code --dkim-keygen} prints it; each string checked to be at most 255 octets.
     */
    public static Map.Entry<String, String> parseZoneRecord(String zone) {
        String record = zone.lines().filter(l -> !l.startsWith(";")).reduce("", (a, b) -> a + b + "\n");
        String owner = record.substring(0, record.indexOf(' '));
        assertTrue(owner.endsWith("."), "a fully qualified owner name: " + zone);
        assertTrue(record.contains(" IN TXT ( \"") && record.strip().endsWith("\" )"), record);
        List<String> strings = new ArrayList<>();
        for (Matcher m = QUOTED.matcher(record); m.find();) {
            strings.add(m.group(1));
        }
        assertTrue(strings.stream().allMatch(s -> s.length() <= 255), "a string over 255 octets: " + strings);
        return Map.entry(owner.substring(0, owner.length() - 1), String.join("", strings));
    }
}
