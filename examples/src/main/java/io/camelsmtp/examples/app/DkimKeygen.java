package io.camelsmtp.examples.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.camelsmtp.smtp.auth.dkim.DkimKeys;
import io.camelsmtp.smtp.auth.dkim.SigningKey;

/**
 * {@code --dkim-keygen DOMAIN SELECTOR [--dkim-algorithm rsa|ed25519] [--dkim-dir DIR]}: makes a DKIM key the way
 * {@code opendkim-genkey} does, without starting Camel. The private key goes to {@code DIR/DOMAIN/SELECTOR.pem}
 * (PKCS#8 PEM, rw-------, folders made rwx------), the layout {@code smtp-auth:dkim-sign}'s {@code keyDirectory}
 * reads; an existing file is never overwritten (it may be the key of a published record). The TXT record to publish
 * is printed in zone-file form, its text cut into strings of at most 255 octets (RFC 1035 §3.3.14; resolvers join
 * them). Domain and selector are checked as smtp-auth checks them ({@link SigningKey}) before they become a path.
 */
final class DkimKeygen {

    static final String OPTION = "--dkim-keygen";
    static final String USAGE = "usage: java -jar camel-smtp-examples.jar --dkim-keygen DOMAIN SELECTOR"
                                + " [--dkim-algorithm rsa|ed25519] [--dkim-dir DIR]";
    /** Longest character-string of a TXT record. */
    static final int MAX_STRING = 255;
    private static final int RSA_BITS = 2048;

    private DkimKeygen() {
    }

    static boolean asked(String[] args) {
        return List.of(args).contains(OPTION);
    }

    /** Exit status: 0 written and printed, 1 the key file exists or cannot be written, 2 usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> names = new ArrayList<>();
        String algorithm = "rsa";
        Path dir = Path.of("data", "dkim");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals(OPTION) && i + 2 < args.length) {
                names.add(args[++i]);
                names.add(args[++i]);
            } else if (a.equals("--dkim-algorithm") && i + 1 < args.length) {
                algorithm = args[++i];
            } else if (a.equals("--dkim-dir") && i + 1 < args.length) {
                dir = Path.of(args[++i]);
            } else {
                err.println(USAGE);
                return 2;
            }
        }
        if (names.size() != 2 || !(algorithm.equals("rsa") || algorithm.equals("ed25519"))) {
            err.println(USAGE);
            return 2;
        }
        SigningKey key;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.equals("rsa") ? "RSA" : "Ed25519");
            if (algorithm.equals("rsa")) {
                g.initialize(RSA_BITS);
            }
            key = new SigningKey(names.get(0), names.get(1), g.generateKeyPair().getPrivate());
        } catch (IllegalArgumentException e) {
            err.println("--dkim-keygen: " + e.getMessage());
            return 2;
        } catch (GeneralSecurityException e) {
            err.println("--dkim-keygen: " + e);
            return 1;
        }
        // SigningKey has checked both as DNS names (no '/', no "..", no empty label): they cannot leave DIR
        Path file = dir.resolve(key.domain()).resolve(key.selector() + ".pem");
        try {
            privateFolders(file.getParent());
            try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                o.write(pem(key.privateKey()).getBytes(StandardCharsets.US_ASCII));
            }
            out.print(zoneRecord(key));
            return 0;
        } catch (FileAlreadyExistsException e) {
            err.println("--dkim-keygen: " + file + " exists; not overwritten (move it away, or choose a new selector)");
            return 1;
        } catch (IOException | GeneralSecurityException e) {
            err.println("--dkim-keygen: cannot write " + file + ": " + e);
            return 1;
        }
    }

    /** Creates the missing folders of {@code folder} as rwx------; existing ones keep their permissions. */
    private static void privateFolders(Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------")); // whatever the umask
        }
    }

    private static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
               + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded())
               + "\n-----END PRIVATE KEY-----\n";
    }

    /** The record in zone-file form, as opendkim-genkey prints it: a comment, then the TXT record. */
    static String zoneRecord(SigningKey key) throws GeneralSecurityException {
        StringBuilder sb = new StringBuilder();
        sb.append("; DKIM key ").append(key.selector()).append(" for ").append(key.domain()).append(" (")
                .append(key.algorithm().tag()).append("); publish:\n");
        sb.append(key.selector()).append("._domainkey.").append(key.domain()).append(". IN TXT (");
        String text = DkimKeys.record(key.privateKey()); // only base64, ';', '=' and spaces: nothing to escape
        for (int i = 0; i < text.length(); i += MAX_STRING) {
            sb.append(i == 0 ? " \"" : "\n\t\"").append(text, i, Math.min(text.length(), i + MAX_STRING)).append('"');
        }
        return sb.append(" )\n").toString();
    }
}
