package io.camelsmtp.smtp.auth.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.james.jspf.core.DNSLookupContinuation;
import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSResponse;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.SPFChecker;
import org.apache.james.jspf.core.SPFCheckerDNSResponseListener;
import org.apache.james.jspf.core.SPFCheckerExceptionCatcher;
import org.apache.james.jspf.core.SPFSession;
import org.apache.james.jspf.core.exceptions.PermErrorException;
import org.apache.james.jspf.core.exceptions.SPFResultException;
import org.apache.james.jspf.core.exceptions.TempErrorException;
import org.apache.james.jspf.core.exceptions.TimeoutException;
import org.apache.james.jspf.executor.FutureSPFResult;
import org.apache.james.jspf.executor.SPFExecutor;
import org.apache.james.jspf.terms.ExistsMechanism;
import org.apache.james.jspf.terms.PTRMechanism;

/**
 * jSPF's synchronous executor with the RFC 7208 §4.6.4 limits jSPF 1.0.5 lacks, and a bound on the whole evaluation:
 * <ul>
 * <li>more than {@link #MAX_VOID_LOOKUPS} void look-ups (NXDOMAIN or no answer) of A, AAAA, MX or PTR: permerror
 * (TXT look-ups for records are not counted, as pyspf does);</li>
 * <li>an MX answer of more than {@link #MAX_MX} names: permerror; a PTR answer is cut to {@link #MAX_PTR} names;</li>
 * <li>an SPF record longer than {@link SpfDns#MAX_TXT_LENGTH}: permerror; another TXT record that long is ignored;</li>
 * <li>more than {@link #MAX_QUERIES} DNS queries in all (jSPF counts the 10 mechanisms, not the address look-ups
 * they cause): permerror; the evaluation running past its deadline: temperror.</li>
 * </ul>
 * The 10-mechanism limit itself is jSPF's ({@code SPFSession.increaseCurrentDepth}). Three of jSPF's mechanism
 * results are corrected here, as the RFC 7208 suite showed: a DNS error in {@code exists} is temperror (jSPF: no
 * match; RFC 7208 §5); a DNS error in {@code ptr}'s look-ups skips the name (jSPF: temperror; §5.5); and {@code ptr}
 * compares names without regard to case (jSPF: case-sensitive; §5.5, DNS names are case-insensitive).
 */
final class BoundedSpfExecutor implements SPFExecutor {

    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_MX = 10;
    static final int MAX_PTR = 10;
    static final int MAX_QUERIES = 120; // 10 mechanisms x (1 + 10 address look-ups), plus the records and exp=

    private final DNSService dns;
    private final long budgetNanos;

    BoundedSpfExecutor(DNSService dns, long budgetMillis) {
        this.dns = dns;
        this.budgetNanos = budgetMillis * 1_000_000L;
    }

    @Override
    public void execute(SPFSession session, FutureSPFResult result) {
        long deadline = System.nanoTime() + budgetNanos;
        int queries = 0;
        int voids = 0;
        SPFChecker checker;
        while ((checker = session.popChecker()) != null) {
            try {
                DNSLookupContinuation cont = checker.checkSPF(session);
                while (cont != null) {
                    DNSRequest request = cont.getRequest();
                    if (++queries > MAX_QUERIES) {
                        throw new PermErrorException("more than " + MAX_QUERIES + " DNS queries");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new TempErrorException("the evaluation took longer than " + budgetNanos / 1_000_000 + " ms");
                    }
                    SPFCheckerDNSResponseListener listener = cont.getListener();
                    DNSResponse response;
                    try {
                        List<String> records = dns.getRecords(request);
                        if (records == null && counts(request) && ++voids > MAX_VOID_LOOKUPS) {
                            throw new PermErrorException("more than " + MAX_VOID_LOOKUPS + " void DNS look-ups (RFC 7208 4.6.4)");
                        }
                        response = new DNSResponse(bounded(request, records));
                    } catch (TimeoutException e) {
                        if (listener instanceof ExistsMechanism) {
                            throw new TempErrorException("exists: " + e.getMessage());
                        }
                        response = listener instanceof PTRMechanism ? new DNSResponse((List<String>) null) : new DNSResponse(e);
                    }
                    if (listener instanceof PTRMechanism) {
                        lowerCase(session, "PTRMechanism.currentDomain"); // jSPF's attribute names
                        lowerCase(session, "PTRMechanism.expandedHost");
                    }
                    cont = listener.onDNSResponse(response, session);
                }
            } catch (Exception e) {
                handle(e, session);
            }
        }
        result.setSPFResult(session);
    }

    /** Hands a failure to the checkers that catch them, innermost first, as jSPF's executor does. */
    private static void handle(Exception failure, SPFSession session) {
        Exception e = failure;
        while (e != null) {
            SPFChecker catcher = session.popChecker(c -> c instanceof SPFCheckerExceptionCatcher);
            if (catcher == null) {
                // nothing left to catch it (jSPF throws here): the result stays what the failure says
                session.setCurrentResultExpanded(e instanceof SPFResultException r ? r.getResult() : "permerror");
                return;
            }
            try {
                ((SPFCheckerExceptionCatcher) catcher).onException(e, session);
                e = null;
            } catch (SPFResultException next) {
                e = next;
            } catch (RuntimeException next) {
                e = next;
            }
        }
    }

    private static void lowerCase(SPFSession session, String attribute) {
        if (session.getAttribute(attribute) instanceof String s) {
            session.setAttribute(attribute, s.toLowerCase(Locale.ROOT));
        }
    }

    private static boolean counts(DNSRequest request) {
        int t = request.getRecordType();
        return t == DNSRequest.A || t == DNSRequest.AAAA || t == DNSRequest.MX || t == DNSRequest.PTR;
    }

    private static List<String> bounded(DNSRequest request, List<String> records) throws PermErrorException {
        if (records == null) {
            return null;
        }
        switch (request.getRecordType()) {
            case DNSRequest.MX -> {
                if (records.size() > MAX_MX) {
                    throw new PermErrorException("more than " + MAX_MX + " MX records for " + request.getHostname());
                }
            }
            case DNSRequest.PTR -> {
                return records.size() > MAX_PTR ? new ArrayList<>(records.subList(0, MAX_PTR)) : records;
            }
            case DNSRequest.TXT -> {
                List<String> kept = new ArrayList<>();
                for (String r : records) {
                    if (r.length() <= SpfDns.MAX_TXT_LENGTH) {
                        kept.add(r);
                    } else if (r.strip().toLowerCase(Locale.ROOT).startsWith("v=spf1")) {
                        throw new PermErrorException("SPF record of " + request.getHostname() + " longer than "
                                + SpfDns.MAX_TXT_LENGTH + " characters");
                    }
                }
                return kept.isEmpty() ? null : kept;
            }
            default -> {
            }
        }
        return records;
    }
}
