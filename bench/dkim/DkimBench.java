// DKIM throughput of camel-smtp-auth's signer and verifier, in-process, one thread (bench/dkim.sh runs it; see there).
// Run as a single-file program on the app's class path:
//   java -cp "APP_DIR/lib/*" bench/dkim/DkimBench.java sign MESSAGE KEY.pem DOMAIN SELECTOR SECONDS WARMUP_SECONDS
//   java -cp "APP_DIR/lib/*" bench/dkim/DkimBench.java verify SIGNED_MESSAGE RECORD DOMAIN SELECTOR SECONDS WARMUP_SECONDS
// sign:   reads the header section and signs the body of MESSAGE (relaxed/relaxed, the default header set) with the
//         PKCS#8 PEM key, as smtp-auth:dkim-sign does, until SECONDS have passed.
// verify: verifies the message (signed by dkimpy in bench/dkim.sh) until SECONDS have passed; the key record (its TXT
//         value) comes from a map, the equivalent of a cached DNS answer, as dkimpy's dnsfunc and OpenDKIM's
//         TestPublicKeys do.
// Prints one line: "impl=ours op=... msgs=N seconds=S rate=R" (R = messages per second); exits 1 if a verification
// does not pass.
import io.camelsmtp.smtp.auth.dkim.Canonicalization;
import io.camelsmtp.smtp.auth.dkim.DkimKeys;
import io.camelsmtp.smtp.auth.dkim.DkimSigner;
import io.camelsmtp.smtp.auth.dkim.DkimVerifier;
import io.camelsmtp.smtp.auth.dkim.HeaderSection;
import io.camelsmtp.smtp.auth.dkim.SigningKey;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;

public class DkimBench {

    public static void main(String[] args) throws Exception {
        String op = args[0];
        byte[] message = Files.readAllBytes(Path.of(args[1]));
        String domain = args[3];
        String selector = args[4];
        double seconds = Double.parseDouble(args[5]);
        double warmup = Double.parseDouble(args[6]);
        Runnable one;
        if (op.equals("sign")) {
            PrivateKey key = DkimKeys.privateKey(Files.readString(Path.of(args[2])));
            List<SigningKey> keys = List.of(new SigningKey(domain, selector, key));
            DkimSigner signer = new DkimSigner(Canonicalization.RELAXED, Canonicalization.RELAXED, null, null,
                    Clock.systemUTC());
            one = () -> sign(signer, keys, message);
        } else if (op.equals("verify")) {
            Map<String, List<String>> records = Map.of(selector + "._domainkey." + domain, List.of(args[2]));
            DkimVerifier verifier = new DkimVerifier(name -> records.getOrDefault(name, List.of()), Clock.systemUTC());
            one = () -> verify(verifier, message);
        } else {
            throw new IllegalArgumentException("sign or verify, not " + op);
        }
        loop(one, warmup);
        long[] r = loop(one, seconds);
        double s = r[1] / 1e9;
        System.out.printf("impl=ours op=%s msgs=%d seconds=%.3f rate=%.1f%n", op, r[0], s, r[0] / s);
    }

    private static long[] loop(Runnable one, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long n = 0;
        long now;
        do {
            one.run();
            n++;
            now = System.nanoTime();
        } while (now < end);
        return new long[] { n, now - start };
    }

    private static String sign(DkimSigner signer, List<SigningKey> keys, byte[] message) {
        try {
            InputStream in = new ByteArrayInputStream(message);
            HeaderSection section = HeaderSection.read(in);
            return signer.sign(keys, section, in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void verify(DkimVerifier verifier, byte[] signed) {
        try {
            InputStream in = new ByteArrayInputStream(signed);
            HeaderSection section = HeaderSection.read(in);
            DkimVerifier.Outcome o = verifier.verify(section, in);
            if (o.results().size() != 1 || !o.results().get(0).passed()) {
                System.err.println("verification did not pass: " + o.results());
                System.exit(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
