package io.camelsmtp.smtp.relay.dane.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Certificates made at test time with the JDK's keytool (nothing committed, nothing expires in the repository): a
 * CA, leaves it issues (one for the MX name, one expired, one for another name) and an unrelated self-signed
 * certificate. Each leaf is a PKCS#12 key store (password {@value #PASSWORD}) holding the chain leaf, CA.
 */
public final class DaneCertificates {

    public static final String PASSWORD = "changeit";
    public static final String MX = "mx.signed.dnssec.test";

    private final Path dir;

    private DaneCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes the whole set in {@code dir} (a few seconds: one keytool process per step). */
    public static DaneCertificates make(Path dir) throws IOException, InterruptedException {
        DaneCertificates c = new DaneCertificates(dir);
        keytool(dir, "-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-dname", "CN=DANE test CA", "-ext", "bc:c",
                "-validity", "3650");
        keytool(dir, "-exportcert", "-keystore", "ca.p12", "-alias", "ca", "-rfc", "-file", "ca.crt");
        c.leaf("good", "san=dns:" + MX, null, "365");
        c.leaf("expired", "san=dns:" + MX, "-400d", "30");
        c.leaf("wrongname", "san=dns:other.example.test", null, "365");
        keytool(dir, "-genkeypair", "-keystore", "other.p12", "-alias", "other", "-dname", "CN=" + MX, "-ext",
                "san=dns:" + MX, "-validity", "365");
        return c;
    }

    private void leaf(String name, String san, String startDate, String days) throws IOException, InterruptedException {
        String store = name + ".p12";
        keytool(dir, "-genkeypair", "-keystore", store, "-alias", name, "-dname", "CN=" + name + " leaf", "-validity", "1");
        keytool(dir, "-certreq", "-keystore", store, "-alias", name, "-file", name + ".csr");
        List<String> gen = Tools.list("-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", name + ".csr",
                "-outfile", name + ".crt", "-rfc", "-ext", san, "-validity", days);
        if (startDate != null) {
            gen.add("-startdate");
            gen.add(startDate);
        }
        keytool(dir, gen.toArray(String[]::new));
        keytool(dir, "-importcert", "-keystore", store, "-alias", "ca", "-file", "ca.crt", "-noprompt");
        keytool(dir, "-importcert", "-keystore", store, "-alias", name, "-file", name + ".crt", "-noprompt");
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = Tools.list(Tools.keytool());
        cmd.addAll(Arrays.asList(args));
        cmd.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12"));
        if (Arrays.asList(args).contains("-genkeypair")) {
            cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-keypass", PASSWORD));
        }
        Tools.run(dir, cmd.toArray(String[]::new));
    }

    /** The key store of {@code name} (good, expired, wrongname, other). */
    public Path keyStore(String name) {
        return dir.resolve(name + ".p12");
    }

    /** The chain the server of {@code name} presents, leaf first. */
    public X509Certificate[] chain(String name) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore(name))) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Certificate[] chain = ks.getCertificateChain(name);
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : chain) {
            out.add((X509Certificate) c);
        }
        return out.toArray(X509Certificate[]::new);
    }

    /** The CA certificate. */
    public X509Certificate ca() throws IOException, GeneralSecurityException {
        X509Certificate[] good = chain("good");
        return good[good.length - 1];
    }

    /** Presentation-form TLSA rdata for {@code cert}, e.g. {@code 3 1 1 <hex>}. */
    public static String tlsa(int usage, int selector, int matching, X509Certificate cert) throws GeneralSecurityException {
        return usage + " " + selector + " " + matching + " " + HexFormat.of().formatHex(association(selector, matching, cert));
    }

    /** The association data of {@code cert} for the selector and matching type. */
    public static byte[] association(int selector, int matching, X509Certificate cert) throws GeneralSecurityException {
        byte[] selected = selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
        return switch (matching) {
            case 1 -> MessageDigest.getInstance("SHA-256").digest(selected);
            case 2 -> MessageDigest.getInstance("SHA-512").digest(selected);
            default -> selected;
        };
    }
}
