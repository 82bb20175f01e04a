package io.camelsmtp.examples.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import io.camelsmtp.examples.delivery.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token that an HTTP client of the app must send ({@code Authorization: Bearer <token>}): from a
 * {@code *.secret} property (Camel masks those in its logs) or, when that is not set, from a file under the data
 * directory that holds only the token. When the file does not exist either, a token of 256 random bits is generated
 * into it, {@code rw-------}, and the log says where. A file that others may read, or a token shorter than 16
 * characters, stops start-up: a token anyone on the host can read protects nothing.
 */
final class AccessToken {

    private static final Logger LOG = LoggerFactory.getLogger("camel-smtp");
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]{16,512}=*");
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token no request can present: for a surface without routes. */
    static final AccessToken NONE = new AccessToken(null, "no route");

    private final byte[] token;
    private final String source;

    private AccessToken(String token, String source) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.source = source;
    }

    /**
     * The token from the property {@code secretName} when its value {@code secret} is set, else from {@code file},
     * generated into it when the file does not exist.
     */
    static AccessToken resolve(String secretName, String secret, Path file) throws IOException {
        if (secret != null && !secret.isEmpty()) {
            return new AccessToken(valid(secret, secretName), "from " + secretName);
        }
        Path path = file.toAbsolutePath();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random());
            try {
                write(path, generated);
                LOG.info("Generated a new HTTP access token into {} (or set {})", path, secretName);
                return new AccessToken(generated, "in " + path);
            } catch (FileAlreadyExistsException raced) {
                // another process of the app made it first: use theirs
            }
        }
        return new AccessToken(read(path, secretName), "in " + path);
    }

    /** Where the token comes from, for the start-up summary: "from PROPERTY" or "in FILE". */
    String source() {
        return source;
    }

    /** Whether an {@code Authorization} header value presents this token (compared in constant time). */
    boolean matches(String authorization) {
        if (token == null || authorization == null || authorization.length() < 7
            || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String valid(String token, String name) {
        if (!TOKEN68.matcher(token).matches()) {
            throw new IllegalArgumentException(name + " must be 16 to 512 characters of A-Z a-z 0-9 - . _ ~ + /");
        }
        return token;
    }

    /** Writes the token under a temporary name, private, then moves it into place unless the file appeared. */
    private static void write(Path file, String token) throws IOException {
        DurableFiles.createDirectories(file.getParent(), null);
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp); // left by a crash; CREATE_NEW then never follows a link planted in its place
        DurableFiles.write(tmp, true, null, out -> out.write((token + "\n").getBytes(StandardCharsets.US_ASCII)));
        try {
            Files.move(tmp, file);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static String read(Path file, String secretName) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException(file + " is not a regular file: it must hold the HTTP access token");
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (permissions.stream().anyMatch(OTHERS::contains)) {
                throw new IllegalStateException(file + " may be read or written by others ("
                                                + PosixFilePermissions.toString(permissions)
                                                + "): chmod 600 it, or delete it to get a new token");
            }
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(1024);
        }
        return valid(new String(bytes, StandardCharsets.US_ASCII).strip(), file + " (or " + secretName + ")");
    }
}
