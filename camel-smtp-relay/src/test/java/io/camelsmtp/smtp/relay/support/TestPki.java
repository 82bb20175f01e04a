package io.camelsmtp.smtp.relay.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * A certificate authority made at test time with openssl (and keytool for the trust store): leaf certificates for
 * chosen names, valid, expired or self-signed, as PEM (for Python servers) and PKCS12 (for smtp-server). Every
 * command is bounded; a missing tool is for the caller to turn into an assumption ({@link #missingTool()}).
 */
public final class TestPki {

    private static final String PASSWORD = "changeit";

    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    /** Why certificates cannot be made here, or null. */
    public static String missingTool() {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            return "openssl not installed (/usr/bin/openssl)";
        }
        if (!Files.isExecutable(keytool())) {
            return "keytool not found in " + System.getProperty("java.home");
        }
        return null;
    }

    /** A new CA in {@code dir}: ca.crt, ca.key, and trust.p12 holding the CA alone. */
    public static TestPki create(Path dir) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir);
        pki.run("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "3", "-subj", "/CN=camel-smtp test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        pki.run(keytool().toString(), "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-keystore", "trust.p12",
                "-storetype", "PKCS12", "-storepass", PASSWORD);
        return pki;
    }

    private static Path keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool");
    }

    /**
     * A certificate for {@code names} (subjectAltName DNS entries) with its key: {@code <alias>.crt}, {@code .key},
     * {@code .p12}. {@code expired}: valid until a day before it was issued; {@code selfSigned}: not from the CA.
     */
    public void leaf(String alias, boolean expired, boolean selfSigned, String... names) throws IOException, InterruptedException {
        String san = "subjectAltName=DNS:" + String.join(",DNS:", names);
        if (selfSigned) {
            run("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", alias + ".key", "-out",
                    alias + ".crt", "-days", "3", "-subj", "/CN=" + names[0], "-addext", san);
        } else {
            Files.writeString(dir.resolve(alias + ".ext"), san + "\n");
            run("/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", alias + ".key", "-out", alias + ".csr",
                    "-subj", "/CN=" + names[0]);
            run("/usr/bin/openssl", "x509", "-req", "-in", alias + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", alias + ".crt", "-days", expired ? "-1" : "3", "-extfile", alias + ".ext");
        }
        List<String> export = new ArrayList<>(List.of("/usr/bin/openssl", "pkcs12", "-export", "-in", alias + ".crt",
                "-inkey", alias + ".key", "-out", alias + ".p12", "-passout", "pass:" + PASSWORD, "-name", alias));
        if (!selfSigned) {
            export.addAll(List.of("-certfile", "ca.crt"));
        }
        run(export.toArray(String[]::new));
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** Server side: the key and chain of {@code alias}. */
    public SSLContextParameters server(String alias) {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("file:" + file(alias + ".p12"));
        ks.setPassword(PASSWORD);
        ks.setType("PKCS12");
        KeyManagersParameters km = new KeyManagersParameters();
        km.setKeyStore(ks);
        km.setKeyPassword(PASSWORD);
        SSLContextParameters p = new SSLContextParameters();
        p.setKeyManagers(km);
        return p;
    }

    /** Client side: trusts this CA and nothing else. */
    public SSLContextParameters trust() {
        KeyStoreParameters ks = new KeyStoreParameters();
        ks.setResource("file:" + file("trust.p12"));
        ks.setPassword(PASSWORD);
        ks.setType("PKCS12");
        TrustManagersParameters tm = new TrustManagersParameters();
        tm.setKeyStore(ks);
        SSLContextParameters p = new SSLContextParameters();
        p.setTrustManagers(tm);
        return p;
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path log = dir.resolve("pki.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IOException("failed (" + p.exitValue() + "): " + String.join(" ", command) + "\n" + Files.readString(log));
        }
    }
}
