package io.moestream.tools.stack;

import io.moestream.tools.tls.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The embedded broker's security for {@code ./moe up --secure}: one SASL_SSL listener (SCRAM-SHA-512 over TLS, with a
 * certificate from a CA made at start), the KRaft {@code StandardAuthorizer} with no access unless an ACL grants it,
 * and one SCRAM principal per service with the ACLs of the k8s manifests ({@link ServiceAcls}). The launcher is the
 * super user {@value #ADMIN}. Everything (CA, key store, passwords) lives in the stack's working directory and goes
 * with it. The controller listener takes SASL PLAIN with the admin's password only; it is never a client listener.
 */
public final class SecureKafka {
    public static final String ADMIN = "moe-admin";
    static final String MECHANISM = "SCRAM-SHA-512";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caFile;
    private final Path keyStore;
    private final String keyStorePassword;
    private final Map<String, String> passwords = new LinkedHashMap<>();

    private SecureKafka(Path caFile, Path keyStore, String keyStorePassword) {
        this.caFile = caFile;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        passwords.put(ADMIN, password());
    }

    /** A new CA, the broker's key store for the loopback names, and the admin's password, in {@code dir}. */
    public static SecureKafka create(Path dir) throws IOException {
        Files.createDirectories(dir);
        CertificateAuthority ca = CertificateAuthority.create("moe-stack-ca");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        String keyStorePassword = password();
        Path keyStore = dir.resolve("broker.p12");
        ca.issueServer("moe-kafka", CertificateAuthority.loopback()).writePkcs12(keyStore, "broker",
                keyStorePassword.toCharArray());
        return new SecureKafka(caFile, keyStore, keyStorePassword);
    }

    /** The CA certificate (PEM) every client trusts. */
    public Path caFile() {
        return caFile;
    }

    /** The broker's listeners and security settings. */
    void configureServer(Properties p, int brokerPort, int controllerPort) {
        String admin = passwords.get(ADMIN);
        p.setProperty("listeners", "SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "SASL_SSL://127.0.0.1:" + brokerPort);
        p.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "SASL_SSL");
        p.setProperty("sasl.enabled.mechanisms", MECHANISM);
        p.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scramLogin(ADMIN, admin));
        p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.setProperty("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                        + "\" password=\"" + admin + "\" user_" + ADMIN + "=\"" + admin + "\";");
        p.setProperty("ssl.keystore.type", "PKCS12");
        p.setProperty("ssl.keystore.location", keyStore.toString());
        p.setProperty("ssl.keystore.password", keyStorePassword);
        p.setProperty("ssl.key.password", keyStorePassword);
        // the broker checks at start that a client trusting this store can reach it, and is such a client itself
        p.setProperty("ssl.truststore.type", "PEM");
        p.setProperty("ssl.truststore.location", caFile.toString());
        p.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.setProperty("super.users", "User:" + ADMIN);
        p.setProperty("allow.everyone.if.no.acl.found", "false");
    }

    /** The storage format's arguments that create the admin's SCRAM credential before the first start. */
    List<String> formatArguments() {
        return List.of("--add-scram", MECHANISM + "=[name=" + ADMIN + ",password=" + passwords.get(ADMIN) + "]");
    }

    /** Kafka client settings that log in as {@code user} (one created by {@link #createPrincipal}, or the admin). */
    public Map<String, Object> clientConfig(String bootstrap, String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no principal '" + user + "' on this broker; principals: " + passwords.keySet());
        }
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        config.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        config.put(SaslConfigs.SASL_JAAS_CONFIG, scramLogin(user, password));
        config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caFile.toString());
        return config;
    }

    /** The admin's client settings: what the launcher provisions topics, principals and ACLs with. */
    public Map<String, Object> adminConfig(String bootstrap) {
        Map<String, Object> config = clientConfig(bootstrap, ADMIN);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return config;
    }

    /** Creates {@code user} with a new random password and grants it {@code acls}. */
    void createPrincipal(Admin admin, String user, List<AclBinding> acls) throws InterruptedException {
        String password = password();
        try {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get();
            admin.createAcls(acls).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the Kafka principal " + user + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
        passwords.put(user, password);
    }

    /**
     * A service's {@code -D} properties that log it in as {@code user}: the {@code kafka.*} keys every service's
     * clients take and, for the router's Kafka Streams, the same under {@code kafka-streams.*}.
     */
    Map<String, String> serviceProperties(String bootstrap, String user) {
        Map<String, String> properties = new HashMap<>();
        clientConfig(bootstrap, user).forEach((key, value) -> {
            if (!key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                properties.put("kafka." + key, value.toString());
                properties.put("kafka-streams." + key, value.toString());
            }
        });
        return properties;
    }

    private static String scramLogin(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static String password() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
