/**
 * Test PKI for the fake Graph server: a CA, a server certificate for loopback, and an RSA client
 * certificate for certificate credentials. samba-dc.ts has its own PKI, but it is private to that
 * module and names the server after the Samba realm, so this one is separate.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";

export interface FakeGraphPki {
  caFile: string;
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  /** Client certificate followed by its private key, the layout ClientCertificateCredential reads. */
  clientCertificateFile: string;
  clientCertificatePem: string;
}

function openssl(args: string[]): void {
  try {
    execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0] ?? ""} failed: ${stderr.trim() || String(error)}`);
  }
}

function serial(): string {
  return `0x${randomBytes(8).toString("hex")}`;
}

/**
 * Writes the PKI into `folder` (which must exist); `host` goes into the server certificate's SAN.
 * `serverDays` below zero makes a server certificate that had expired before it was issued.
 */
export function createFakeGraphPki(folder: string, host: string, serverDays = 2): FakeGraphPki {
  const file = (name: string) => path.join(folder, name);
  // EC keys for the CA and server keep start-up fast; the client key must be RSA because MSAL signs assertions with RS256/PS256.
  openssl([
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=kontokoll fake Graph test CA", "-keyout", file("ca.key"), "-out", file("ca.pem"),
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  openssl([
    "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
    "-keyout", file("server.key"), "-out", file("server.csr"),
  ]);
  const names = new Set(["DNS:localhost", "IP:127.0.0.1"]);
  names.add(isIP(host) === 0 ? `DNS:${host}` : `IP:${host}`);
  writeFileSync(
    file("server.ext"),
    [
      `subjectAltName=${[...names].join(",")}`,
      "extendedKeyUsage=serverAuth",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "",
    ].join("\n"),
  );
  openssl([
    "x509", "-req", "-days", String(serverDays), "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
    "-set_serial", serial(), "-extfile", file("server.ext"), "-out", file("server.pem"),
  ]);
  // Entra takes any self-signed certificate uploaded to the app registration, so the client one is self-signed.
  openssl([
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=kontokoll fake Graph client",
    "-keyout", file("client.key"), "-out", file("client.crt"),
  ]);
  const clientCertificatePem = readFileSync(file("client.crt"), "utf8");
  writeFileSync(file("client.pem"), clientCertificatePem + readFileSync(file("client.key"), "utf8"), { mode: 0o600 });
  return {
    caFile: file("ca.pem"),
    caPem: readFileSync(file("ca.pem"), "utf8"),
    serverKeyPem: readFileSync(file("server.key"), "utf8"),
    serverCertPem: readFileSync(file("server.pem"), "utf8"),
    clientCertificateFile: file("client.pem"),
    clientCertificatePem,
  };
}
