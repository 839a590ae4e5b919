package dev.callcontrol.local;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the HttpApi's JWT authorizer does, locally: verify a bearer token's signature (RS256, a key
 * pair made at start), issuer, audience and expiry, and hand the claims to the function as API
 * Gateway does (every value a string, arrays as {@code [a b]}). It also mints tokens for the demo
 * workers, which only the local runtime offers ({@code POST /dev/token}).
 */
final class LocalAuthorizer {
    static final String AUDIENCE = "call-control-local";
    private static final Duration LIFETIME = Duration.ofHours(8);

    private final RSAKey key;
    private final String issuer;
    private final Clock clock;

    LocalAuthorizer(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
        try {
            this.key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make the local signing key", e);
        }
    }

    String issuer() {
        return issuer;
    }

    /** A token for a worker, with the claims the functions read. */
    String mint(String workerSid, String name, List<String> groups, String workerClaim, String groupsClaim, Duration lifetime) {
        return mint(workerSid, workerSid, name, groups, workerClaim, groupsClaim, lifetime, issuer, AUDIENCE);
    }

    /** The same, for another issuer or audience: a token this authorizer signs but must refuse, as API Gateway would. */
    String mint(String subject, String workerSid, String name, List<String> groups, String workerClaim, String groupsClaim, Duration lifetime,
                String tokenIssuer, String tokenAudience) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(tokenIssuer)
                .audience(tokenAudience)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime == null ? LIFETIME : lifetime)))
                .claim("name", name)
                .claim(workerClaim, workerSid)
                .claim(groupsClaim, groups)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a local token", e);
        }
        return jwt.serialize();
    }

    /** The verified claims of an {@code Authorization: Bearer} header, or null when API Gateway would answer 401. */
    Map<String, String> verify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring(7).trim());
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()))) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (!issuer.equals(claims.getIssuer()) || claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)
                    || expires == null || !expires.toInstant().isAfter(clock.instant())) {
                return null;
            }
            Map<String, String> out = new LinkedHashMap<>();
            claims.getClaims().forEach((name, value) -> out.put(name, asApiGatewayString(value)));
            return out;
        } catch (ParseException | JOSEException e) {
            return null;
        }
    }

    private static String asApiGatewayString(Object value) {
        if (value instanceof List<?> list) {
            return "[" + String.join(" ", list.stream().map(String::valueOf).toList()) + "]";
        }
        if (value instanceof Date date) {
            return String.valueOf(date.toInstant().getEpochSecond());
        }
        return String.valueOf(value);
    }
}
