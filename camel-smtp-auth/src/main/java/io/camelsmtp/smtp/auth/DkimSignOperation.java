package io.camelsmtp.smtp.auth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.camelsmtp.smtp.auth.dkim.Canonicalization;
import io.camelsmtp.smtp.auth.dkim.DkimAlgorithm;
import io.camelsmtp.smtp.auth.dkim.DkimException;
import io.camelsmtp.smtp.auth.dkim.DkimKeys;
import io.camelsmtp.smtp.auth.dkim.DkimSigner;
import io.camelsmtp.smtp.auth.dkim.HeaderSection;
import io.camelsmtp.smtp.auth.dkim.SigningKey;
import io.camelsmtp.smtp.common.SmtpReply;
import io.camelsmtp.smtp.common.SmtpReplyException;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.support.ResourceHelper;

/**
 * {@code smtp-auth:dkim-sign}: puts one DKIM-Signature per key in front of the message, the rest untouched. Refuses
 * ({@code 550}) what it must not sign: no single From address, a From domain outside the signing domain (unless
 * {@code signWhenFromDomainDiffers}), a domain without a key, a header section it cannot read.
 */
final class DkimSignOperation extends SmtpAuthProducer.Operation {

    /** At most this many keys of one domain's folder sign a message. */
    static final int MAX_DIRECTORY_KEYS = 4;

    private final SmtpAuthEndpoint endpoint;
    private final SmtpAuthConfiguration config;
    private final Map<Path, LoadedKey> directoryKeys = new ConcurrentHashMap<>();
    private DkimSigner signer;
    private List<SigningKey> staticKeys = List.of();
    private DkimAlgorithm algorithm;

    private record LoadedKey(FileTime modified, PrivateKey key) {
    }

    DkimSignOperation(SmtpAuthEndpoint endpoint) {
        this.endpoint = endpoint;
        this.config = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        Canonicalization[] c = Canonicalization.parse(config.getCanonicalization());
        List<String> headers = config.getHeaders() == null || config.getHeaders().isBlank() ? null
                : Arrays.stream(config.getHeaders().split(":")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        signer = new DkimSigner(c[0], c[1], headers, Duration.ofMillis(config.getExpiration()), Clock.systemUTC());
        algorithm = config.getAlgorithm() == null ? null : DkimAlgorithm.ofTag(config.getAlgorithm());
        if (config.getAlgorithm() != null && algorithm == null) {
            throw new IllegalArgumentException("algorithm must be rsa-sha256 or ed25519-sha256, not "
                                               + config.getAlgorithm());
        }
        if (config.getPrivateKey() != null) {
            List<String> resources = split(config.getPrivateKey());
            List<String> selectors = split(config.getSelector());
            if (config.getDomain() == null || selectors.size() != resources.size()) {
                throw new IllegalArgumentException("dkim-sign with privateKey needs domain and one selector per key ("
                        + resources.size() + " keys, " + selectors.size() + " selectors)");
            }
            List<SigningKey> keys = new ArrayList<>();
            for (int i = 0; i < resources.size(); i++) {
                String pem;
                try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(endpoint.getCamelContext(),
                        resources.get(i))) {
                    pem = new String(in.readNBytes(64 * 1024), StandardCharsets.US_ASCII);
                }
                keys.add(checked(new SigningKey(config.getDomain(), selectors.get(i), DkimKeys.privateKey(pem))));
            }
            staticKeys = List.copyOf(keys);
        } else if (config.getKeyDirectory() != null) {
            if (!Files.isDirectory(Path.of(config.getKeyDirectory()))) {
                throw new IllegalArgumentException("keyDirectory " + config.getKeyDirectory() + " is not a folder");
            }
        } else if (config.getKeyResolver() == null) {
            throw new IllegalArgumentException(
                    "dkim-sign needs privateKey (with domain and selector), keyDirectory or keyResolver");
        }
    }

    @Override
    protected void doStop() {
        directoryKeys.clear();
    }

    private SigningKey checked(SigningKey key) {
        if (algorithm != null && key.algorithm() != algorithm) {
            throw new IllegalArgumentException("the key for selector " + key.selector() + " is " + key.algorithm().tag()
                    + ", not " + algorithm.tag() + " (algorithm option)");
        }
        return key;
    }

    @Override
    void process(Exchange exchange) throws Exception {
        StreamCache body = SmtpAuthProducer.body(exchange);
        InputStream in = new BufferedInputStream((InputStream) body, 16 * 1024);
        HeaderSection section;
        try {
            section = HeaderSection.read(in);
        } catch (DkimException e) {
            throw refuse("5.6.0", "Cannot sign: " + e.getMessage());
        }
        String from = section.fromDomain();
        if (from == null) {
            throw refuse("5.6.0", "Cannot sign: the message needs exactly one From field with one address");
        }
        String domain = exchange.getMessage().getHeader(SmtpAuthConstants.DKIM_DOMAIN, String.class);
        if (domain == null) {
            domain = config.getDomain();
        }
        if (domain == null) {
            domain = from;
        }
        domain = domain.strip().toLowerCase(Locale.ROOT);
        if (!config.isSignWhenFromDomainDiffers() && !from.equals(domain) && !from.endsWith("." + domain)) {
            throw refuse("5.7.1", "Not signing mail from " + from + " as " + domain
                    + " (its From domain is not the signing domain; see signWhenFromDomainDiffers)");
        }
        String selector = exchange.getMessage().getHeader(SmtpAuthConstants.DKIM_SELECTOR, String.class);
        if (selector == null) {
            selector = config.getSelector();
        }
        List<SigningKey> keys = keys(domain, selector);
        if (keys.isEmpty()) {
            throw refuse("5.7.1", "No DKIM key for " + domain + (selector != null ? " selector " + selector : ""));
        }
        String fields;
        try {
            fields = signer.sign(keys, section, in);
        } catch (DkimException e) {
            throw refuse("5.6.0", "Cannot sign: " + e.getMessage());
        }
        exchange.getMessage().setBody(new PrefixedBody(fields.getBytes(StandardCharsets.US_ASCII), body, 0));
    }

    private List<SigningKey> keys(String domain, String selector) throws Exception {
        if (config.getKeyResolver() != null) {
            List<SigningKey> keys = config.getKeyResolver().keys(domain, selector);
            List<SigningKey> out = new ArrayList<>();
            for (SigningKey k : keys == null ? List.<SigningKey>of() : keys) {
                out.add(checked(k));
            }
            return out;
        }
        if (config.getKeyDirectory() != null && config.getPrivateKey() == null) {
            return directory(domain, selector);
        }
        List<String> wanted = selector == null ? null : split(selector);
        return staticKeys.stream().filter(k -> k.domain().equals(domain))
                .filter(k -> wanted == null || wanted.contains(k.selector())).toList();
    }

    /** keyDirectory/domain/selector.pem; every *.pem of the domain's folder when no selector is asked for. */
    private List<SigningKey> directory(String domain, String selector) throws IOException, DkimException {
        if (!domain.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*")) {
            return List.of(); // never a path outside the folder
        }
        Path folder = Path.of(config.getKeyDirectory(), domain);
        List<Path> files = new ArrayList<>();
        if (selector != null) {
            for (String s : split(selector)) {
                if (s.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
                    files.add(folder.resolve(s + ".pem"));
                }
            }
        } else if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*.pem")) {
                ds.forEach(files::add);
            }
            files.sort(null);
            files = files.subList(0, Math.min(files.size(), MAX_DIRECTORY_KEYS));
        }
        List<SigningKey> keys = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            FileTime modified = Files.getLastModifiedTime(f);
            LoadedKey loaded = directoryKeys.get(f);
            if (loaded == null || !loaded.modified().equals(modified)) {
                if (Files.size(f) > 64 * 1024) {
                    throw new DkimException(f + " is larger than 64 KB: not a key");
                }
                String pem = Files.readString(f, StandardCharsets.US_ASCII);
                loaded = new LoadedKey(modified, DkimKeys.privateKey(pem));
                directoryKeys.put(f, loaded);
            }
            String name = f.getFileName().toString();
            try {
                keys.add(checked(new SigningKey(domain, name.substring(0, name.length() - 4), loaded.key())));
            } catch (IllegalArgumentException e) {
                throw new DkimException(f + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    private static List<String> split(String s) {
        return s == null ? List.of()
                : Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static SmtpReplyException refuse(String status, String text) {
        return new SmtpReplyException(SmtpReply.of(550, status, text));
    }
}
