package io.camelsmtp.smtp.auth.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Independent DKIM implementations as judges, run as processes with bounded waits: dkimpy (python3-dkim, Debian's
 * /usr/bin/python3) and OpenDKIM ({@code opendkim -t} with {@code TestPublicKeys}, {@code opendkim-testmsg} to sign).
 * Each sees only the key records the test gives it. A missing tool skips the test loudly.
 */
public final class Judges {

    public static final String PYTHON = "/usr/bin/python3";

    private Judges() {
    }

    /** dkimpy's verdict per signature, top-most first: "pass", "fail" or "error:...". */
    public static List<String> dkimpy(Path dir, byte[] message, Map<String, String> records) throws Exception {
        Path msg = Files.write(dir.resolve("dkimpy-" + System.nanoTime() + ".eml"), message);
        Path keys = writeRecords(dir.resolve("dkimpy-keys.txt"), records);
        String out = run(null, PYTHON, script(dir).toString(), "verify", msg.toString(), keys.toString()).strip();
        return List.of(out.split(" "));
    }

    /** A message signed by dkimpy. */
    public static byte[] dkimpySign(Path dir, byte[] message, String selector, String domain, Path keyFile,
            String algorithm) throws Exception {
        Path msg = Files.write(dir.resolve("to-sign-" + System.nanoTime() + ".eml"), message);
        return runBytes(null, PYTHON, script(dir).toString(), "sign", msg.toString(), selector, domain, keyFile.toString(),
                algorithm);
    }

    /** A message signed by dkimpy in-process of a script: with {@code bodyLength}, dkimpy's l= (the signed length). */
    public static byte[] dkimpyRaw(byte[] message, String selector, String domain, java.security.PrivateKey rsa,
            boolean bodyLength) throws Exception {
        Path dir = Files.createTempDirectory("dkimpy");
        try {
            Path msg = Files.write(dir.resolve("m.eml"), message);
            Path key = TestKeys.writePem(dir.resolve("k.pem"), rsa);
            Path script = Files.writeString(dir.resolve("s.py"), "import dkim,sys\n"
                    + "m=open(sys.argv[1],'rb').read()\n"
                    + "s=dkim.sign(m,sys.argv[2].encode(),sys.argv[3].encode(),open(sys.argv[4],'rb').read(),"
                    + "include_headers=[b'from',b'subject'],length=" + (bodyLength ? "True" : "False") + ")\n"
                    + "sys.stdout.buffer.write(s+m)\n");
            byte[] signed = runBytes(null, PYTHON, script.toString(), msg.toString(), selector, domain, key.toString());
            return signed;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** OpenDKIM's verdicts: the dkim= results of the Authentication-Results it would add, one per signature. */
    public static List<String> opendkim(Path dir, byte[] message, Map<String, String> records) throws Exception {
        Path msg = Files.write(dir.resolve("opendkim-" + System.nanoTime() + ".eml"), message);
        Path keys = writeRecords(dir.resolve("opendkim-keys.txt"), records);
        Path conf = Files.writeString(dir.resolve("opendkim.conf"),
                "TestPublicKeys " + keys + "\nMode v\nSyslog no\nMinimumKeyBits 1024\n");
        String out = run(null, "opendkim", "-x", conf.toString(), "-vv", "-t", msg.toString());
        List<String> results = new ArrayList<>();
        Matcher m = Pattern.compile("\\bdkim=([a-z]+)").matcher(out);
        while (m.find()) {
            results.add(m.group(1));
        }
        return results;
    }

    /** A message signed by {@code opendkim-testmsg} (CRLF line ends). */
    public static byte[] opendkimSign(byte[] message, String selector, String domain, Path keyFile) throws Exception {
        return runBytes(message, "opendkim-testmsg", "-C", "-d", domain, "-s", selector, "-k", keyFile.toString());
    }

    private static Path writeRecords(Path file, Map<String, String> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        records.forEach((name, record) -> sb.append(name).append(' ').append(record).append('\n'));
        return Files.writeString(file, sb);
    }

    private static Path script(Path dir) throws IOException {
        Path script = dir.resolve("dkimpy_judge.py");
        if (!Files.exists(script)) {
            try (InputStream in = Judges.class.getResourceAsStream("/judges/dkimpy_judge.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        return script;
    }

    private static String run(byte[] stdin, String... cmd) throws Exception {
        return new String(runBytes(stdin, cmd), StandardCharsets.UTF_8);
    }

    private static byte[] runBytes(byte[] stdin, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            System.err.println("*** SKIPPED: " + cmd[0] + " is not installed (python3-dkim, opendkim, opendkim-tools): " + e);
            assumeTrue(false, cmd[0] + " is not installed");
            throw e;
        }
        if (stdin != null) {
            try (var os = p.getOutputStream()) {
                os.write(stdin);
            }
        } else {
            p.getOutputStream().close();
        }
        byte[][] err = new byte[1][];
        Thread t = new Thread(() -> {
            try {
                err[0] = p.getErrorStream().readAllBytes();
            } catch (IOException ignored) {
                err[0] = new byte[0];
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd[0] + " did not finish");
        t.join(10_000);
        String errText = err[0] == null ? "" : new String(err[0], StandardCharsets.UTF_8);
        if (cmd[0].equals(PYTHON) && errText.contains("No module named 'dkim'")) {
            System.err.println("*** SKIPPED: python3-dkim is not installed");
            assumeTrue(false, "python3-dkim is not installed");
        }
        if (cmd[0].equals("opendkim")) {
            return (new String(out, StandardCharsets.UTF_8) + errText).getBytes(StandardCharsets.UTF_8);
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + errText);
        return out;
    }
}
