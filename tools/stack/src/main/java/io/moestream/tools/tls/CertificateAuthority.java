package io.moestream.tools.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS on one machine: the local stack and the tests make one at start, issue
 * the broker's, the gateway's and the clients' certificates from it, and delete everything on close. EC P-256 keys,
 * valid for a day. Not for production, where certificates come from the operator (cert-manager in the k8s manifests).
 */
public final class CertificateAuthority {
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration VALIDITY = Duration.ofDays(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA named {@code name}. */
    public static CertificateAuthority create(String name) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        X509v3CertificateBuilder builder = builder(subject, subject, keys);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new CertificateAuthority(keys, sign(builder, keys));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A certificate for a server reachable as {@code hosts} (names or IP addresses), also usable as a client. */
    public Issued issueServer(String commonName, List<String> hosts) {
        return issue(commonName, hosts, true);
    }

    /** A client certificate: its common name is the principal the server sees. */
    public Issued issueClient(String commonName) {
        return issue(commonName, List.of(), false);
    }

    /** Writes the CA certificate as PEM, the trust anchor clients and servers are given. */
    public Path writeCertificate(Path file) throws IOException {
        writePem(file, certificate);
        return file;
    }

    private Issued issue(String commonName, List<String> hosts, boolean server) {
        KeyPair subjectKeys = newKeyPair();
        X509v3CertificateBuilder builder = builder(new X500Name(certificate.getSubjectX500Principal().getName()),
                new X500Name("CN=" + commonName), subjectKeys);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, server
                    ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            if (!hosts.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String host : hosts) {
                    names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                            : new GeneralName(GeneralName.dNSName, host));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Issued(subjectKeys, sign(builder, keys), certificate);
    }

    /** An issued certificate with its private key and the CA's certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate, X509Certificate ca) {
        /** Writes the certificate and its unencrypted PKCS#8 private key as PEM files. */
        public void writePem(Path certificateFile, Path keyFile) throws IOException {
            CertificateAuthority.writePem(certificateFile, certificate);
            try (Writer out = Files.newBufferedWriter(keyFile); JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
        }

        /** Writes a PKCS#12 key store holding the key and its chain under the alias {@code alias}. */
        public void writePkcs12(Path file, String alias, char[] password) throws IOException {
            try (OutputStream out = Files.newOutputStream(file)) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry(alias, keys.getPrivate(), password, new Certificate[] {certificate, ca});
                store.store(out, password);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot write the key store " + file, e);
            }
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator in this JVM", e);
        }
    }

    private static boolean isAddress(String host) {
        return host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":");
    }

    /** The loopback names the local stack's certificates are valid for. */
    public static List<String> loopback() {
        return List.of("localhost", "127.0.0.1", InetAddress.getLoopbackAddress().getHostAddress());
    }
}
