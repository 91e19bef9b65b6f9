package dev.warren.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.config.ConfigProblemsException.Problem;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.tasklets.JobQueue;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarrenConfigTest {
    @TempDir
    Path dir;

    @Test
    void aFileWithAnIncludeAndTheEnvironmentBuildsServersThatStart() throws Exception {
        Files.writeString(dir.resolve("limits.conf"), "max-connections = 77\n");
        Path app = dir.resolve("app.conf");
        Files.writeString(app, """
                # the application's own section is left alone
                myapp { greeting = hello }
                warren {
                  http-servers.web {
                    include "limits.conf"
                    port = 0
                    bind-address = ${?NO_SUCH_VARIABLE_SET_BY_ANYONE}
                    bind-address = "127.0.0.1"
                    idle-timeout = 30s
                    max-body-bytes = 64KiB
                    user = ${USER_FOR_TEST}
                  }
                  job-queues.mail { min-concurrency = 1, max-concurrency = 4, order = lifo, default-deadline = 2s }
                }
                """.replace("user = ${USER_FOR_TEST}\n", ""));
        WarrenConfig c = WarrenConfig.load(app);
        assertEquals("hello", c.config().getString("myapp.greeting"));
        assertEquals(Set.of("web"), c.names("http-servers"));
        assertTrue(c.has("job-queues", "mail"));
        assertFalse(c.has("job-queues", "web"));
        try (HttpServer web = c.httpServer("web")
                .handler(req -> Response.text(200, "configured"))
                .start()) {
            String reply = get(web.port(), "/");
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
            assertTrue(reply.endsWith("configured"), reply);
        }
        try (JobQueue mail = c.jobQueue("mail").start()) {
            assertEquals(4, mail.submit(() -> 2 + 2).get());
        }
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPathFileAndLine() throws IOException {
        Path app = dir.resolve("bad.conf");
        Files.writeString(app, """
                warren {
                  http-servers.web {
                    port = 70000
                    idle-timout = 5s
                    max-connections = lots
                  }
                  job-queue.mail { backlog = 5 }
                  job-queues.mail { max-concurrency = 1, min-concurrency = 3 }
                  message-servers.m { format = protobuf }
                  admin { bind-address = "127.0.0.1" }
                }
                """);
        ConfigProblemsException e = assertThrows(ConfigProblemsException.class, () -> WarrenConfig.load(app));
        List<String> got = e.problems().stream().map(Problem::toString).toList();
        String f = app.toString();
        assertEquals(
                List.of(
                        f + ":3: warren.http-servers.web.port: port must be 0..65535, was 70000",
                        f + ":4: warren.http-servers.web.idle-timout: unknown key (did you mean idle-timeout?)",
                        f + ":5: warren.http-servers.web.max-connections: must be an integer, was \"lots\"",
                        f + ":7: warren.job-queue: unknown section (did you mean job-queues?); warren holds "
                                + "tcp-servers, http-servers, message-servers, udp-receivers, job-queues, stream-jobs, admin",
                        f + ":8: warren.job-queues.mail: max-concurrency must be >= min-concurrency (3), was 1",
                        f + ":9: warren.message-servers.m.format: format must be one of buffstreams, fixed32, was "
                                + "'protobuf'",
                        f + ":10: warren.admin: port is missing (the admin server needs one)"),
                got.stream().sorted((a, b) -> Integer.compare(line(a), line(b))).toList());
        assertTrue(e.getMessage().startsWith("7 problems in the configuration:\n  "), e.getMessage());
    }

    @Test
    void unreadableFilesParseErrorsAndUnsetVariablesAreProblemsToo() throws IOException {
        ConfigProblemsException missing =
                assertThrows(ConfigProblemsException.class, () -> WarrenConfig.load(dir.resolve("nope.conf")));
        assertEquals(
                dir.resolve("nope.conf") + ": no such file",
                missing.problems().get(0).toString());

        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "warren {\n  admin { port = 1\n");
        ConfigProblemsException parse = assertThrows(ConfigProblemsException.class, () -> WarrenConfig.load(broken));
        assertTrue(parse.problems().get(0).origin().startsWith(broken + ":"), parse.getMessage());

        Path unset = dir.resolve("unset.conf");
        Files.writeString(unset, "warren.admin {\n  port = 1\n  token = ${WARREN_TEST_UNSET_VARIABLE}\n}\n");
        ConfigProblemsException sub = assertThrows(ConfigProblemsException.class, () -> WarrenConfig.load(unset));
        assertEquals(unset + ":3", sub.problems().get(0).origin(), sub.getMessage());
        assertTrue(sub.getMessage().contains("WARREN_TEST_UNSET_VARIABLE"), sub.getMessage());
        assertTrue(sub.getMessage().contains("${?NAME}"), sub.getMessage());

        ConfigProblemsException notObject =
                assertThrows(ConfigProblemsException.class, () -> WarrenConfig.parse("warren = 5", "inline"));
        assertEquals(
                "inline:1: warren: must be an object { ... }, was 5",
                notObject.problems().get(0).toString());
    }

    @Test
    void theTlsKeysMakeAnHttpsServerAndGoTogether() throws Exception {
        dev.warren.net.TestCerts certs = dev.warren.net.TestCerts.get();
        WarrenConfig c = WarrenConfig.parse(
                "warren.http-servers.s { port = 0, bind-address = \"127.0.0.1\", tls-cert = \"" + certs.serverChain
                        + "\", tls-key = \"" + certs.serverKey + "\", tls-ca = \"" + certs.ca
                        + "\", tls-client-auth = need }",
                "inline");
        HttpServer.Builder b = c.httpServer("s");
        assertEquals(
                dev.warren.net.TlsOptions.ClientAuth.NEED, b.listener().tls().clientAuth());
        try (HttpServer s = b.handler(req -> Response.text(200, "secure")).start();
                dev.warren.net.http.HttpClient client = dev.warren.net.http.HttpClient.builder()
                        .tls(dev.warren.net.TlsOptions.of(certs.clientContextWithCertificate()))
                        .build()) {
            assertEquals(
                    "secure",
                    client.get(java.net.URI.create("https://localhost:" + s.port() + "/"))
                            .bodyString());
        }
        ConfigProblemsException e = assertThrows(
                ConfigProblemsException.class,
                () -> WarrenConfig.parse("warren.tcp-servers.t { tls-cert = \"/x.pem\" }", "inline"));
        assertEquals(
                "inline:1: warren.tcp-servers.t: tls-cert and tls-key go together: tls-key is missing",
                e.problems().get(0).toString());
        e = assertThrows(
                ConfigProblemsException.class,
                () -> WarrenConfig.parse(
                        "warren.message-servers.m { tls-cert = \"/no/cert.pem\", tls-key = \"/no/key.pem\" }",
                        "inline"));
        assertTrue(
                e.problems().get(0).toString().endsWith("cannot read certificate file /no/cert.pem: no such file"),
                e.problems().get(0).toString());
    }

    /**
     * The admin server takes the TLS keys too: with {@code tls-client-auth = need} only a client with a
     * certificate signed by {@code tls-ca} reads it (libmtev's REST ACLs by client certificate).
     */
    @Test
    void theAdminServerServesHttpsAndCanRequireAClientCertificate() throws Exception {
        dev.warren.net.TestCerts certs = dev.warren.net.TestCerts.get();
        WarrenConfig c = WarrenConfig.parse(
                "warren.admin { port = 0, tls-cert = \"" + certs.serverChain + "\", tls-key = \"" + certs.serverKey
                        + "\", tls-ca = \"" + certs.ca + "\", tls-client-auth = need }",
                "inline");
        try (dev.warren.net.admin.AdminServer admin = c.admin().orElseThrow().start()) {
            java.net.URI capa = java.net.URI.create("https://localhost:" + admin.port() + "/capa.json");
            try (dev.warren.net.http.HttpClient withCert = dev.warren.net.http.HttpClient.builder()
                    .tls(dev.warren.net.TlsOptions.of(certs.clientContextWithCertificate()))
                    .build()) {
                dev.warren.net.http.ClientResponse r = withCert.get(capa);
                assertEquals(200, r.status());
                assertTrue(r.bodyString().contains("\"jdk\""), r.bodyString());
            }
            try (dev.warren.net.http.HttpClient withoutCert = dev.warren.net.http.HttpClient.builder()
                    .tls(dev.warren.net.TlsOptions.of(certs.clientContext()))
                    .build()) {
                assertThrows(
                        java.io.IOException.class, () -> withoutCert.get(capa).bodyString());
            }
        }
    }

    @Test
    void askingForASectionThatIsNotThereNamesTheOnesThatAre() {
        WarrenConfig c = WarrenConfig.parse("warren.tcp-servers { a { port = 0 }, b { port = 0 } }", "inline");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.tcpServer("c"));
        assertEquals("no section warren.tcp-servers.c in inline (there are a, b)", e.getMessage());
        assertEquals(
                "kind must be one of [tcp-servers, http-servers, message-servers, udp-receivers, job-queues, "
                        + "stream-jobs], was 'tcp-server'",
                assertThrows(IllegalArgumentException.class, () -> c.names("tcp-server"))
                        .getMessage());
        assertTrue(WarrenConfig.empty().admin().isEmpty());
        assertTrue(WarrenConfig.parse("warren.admin.port = 0", "inline").admin().isPresent());
    }

    @Test
    void sizesAndDurationsAreReadTheHoconWay() {
        WarrenConfig c = WarrenConfig.parse(
                "warren.tcp-servers.t { input-buffer-size = 16KiB, idle-timeout = 2 minutes, limit-policy = CLOSE }",
                "inline");
        c.tcpServer("t"); // applied without complaint
        ConfigProblemsException e = assertThrows(
                ConfigProblemsException.class,
                () -> WarrenConfig.parse("warren.tcp-servers.t { input-buffer-size = 3GiB }", "inline"));
        assertEquals(
                "inline:1: warren.tcp-servers.t.input-buffer-size: input-buffer-size must be below 2GiB, was "
                        + "3221225472 bytes",
                e.problems().get(0).toString());
    }

    private static int line(String problem) {
        String afterFile = problem.substring(problem.indexOf(".conf:") + 6);
        return Integer.parseInt(afterFile.substring(0, afterFile.indexOf(':')));
    }

    private static String get(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
