/**
 * Planted secrets never reach anything kontokoll writes. The demo municipality is audited with its
 * Entra part read live from the local Graph server, authenticated with a planted client secret (from
 * .env), a client certificate's private key (from a file, and from the environment), and then with
 * a wrong secret, a foreign certificate and a damaged key. Every command runs at trace level with
 * stack traces on; its stdout and stderr, the workbooks (unzipped), the saved snapshot (gunzipped),
 * the SQLite store with its journal, and the scheduler's status file are searched for each secret,
 * the key's PEM block, its base64 body and every line of that body.
 *
 * The LDAP bind password is planted the same way in test/ldap-least-privilege.test.ts, which needs
 * the Samba DC.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { graphSourceYaml, startFakeGraph, type FakeGraph } from "./harness/fake-graph/index.js";
import { filesUnder, readableContents } from "./helpers/written-files.js";

const CLI = path.resolve("dist/src/cli/main.js");
const GRAPH_SECRET = "Pl4nted~Graph.ClientSecret_8842";
const WRONG_SECRET = "Wr0ng~Planted.Secret_5521";

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a child process, without blocking this process: the Graph server answers from here. */
function runCli(args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...cleanEnv(), ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** This process's environment without kontokoll's own variables, so only what a case sets is used. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("KONTOKOLL_")));
}

/** The base64 body of the first PEM block of this type in `pem`, as its lines. */
function pemBodyLines(pem: string, type: string): string[] {
  const match = new RegExp(`-----BEGIN ${type}-----\\r?\\n([\\s\\S]*?)-----END ${type}-----`).exec(pem);
  assert.ok(match !== null, `a ${type} block`);
  return match[1]!.split(/\r?\n/).filter((line) => line !== "");
}

function newCertificateWithKey(folder: string): string {
  const key = path.join(folder, "foreign.key");
  const certificate = path.join(folder, "foreign.crt");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=not the registered app", "-keyout", key, "-out", certificate], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  return readFileSync(certificate, "utf8") + readFileSync(key, "utf8");
}

describe("secrets never reach logs, reports, snapshots, the store or the status file", function () {
  this.timeout(900_000);
  let workdir: string;
  let fake: FakeGraph;
  let inputs: Set<string>;
  let certificatePem: string;
  let foreignPem: string;
  let damagedPem: string;
  /** Every secret value planted, with a name for the message. */
  const planted: Array<{ name: string; value: string }> = [];
  const outputs: Array<{ name: string; text: string }> = [];

  /** The demo configuration with Entra read live from the Graph server, authenticated by `auth`. */
  function graphConfig(name: string, auth: string): string {
    const demo = readFileSync(path.resolve("demo/kontokoll.demo.yaml"), "utf8");
    const live = [
      ...graphSourceYaml(fake, auth),
      "    timeoutSeconds: 10",
      "    limits: { reports: { requests: 50, windowSeconds: 1 }, identityProtection: { requests: 20, windowSeconds: 1 }, intune: { requests: 50, windowSeconds: 1 } }",
      "    retry: { maxRetries: 2, delaySeconds: 1, attempts: 2, backoffSeconds: 0.05 }",
    ].join("\n");
    const text = demo
      .replace("  entra:\n    type: graph-export\n    folder: data/entra", live)
      .replace("outputDir: ../reports", `outputDir: ../out/${name}/reports`)
      .replace("dataDir: ../data/demo", `dataDir: ../out/${name}/data`);
    assert.ok(text.includes("type: graph\n"), "the demo configuration's Entra source was replaced");
    writeFileSync(path.join(workdir, "demo", `${name}.yaml`), text);
    return `demo/${name}.yaml`;
  }

  /** Runs a command at trace level with stack traces, keeping its output for the search. */
  async function run(label: string, args: string[], env: Record<string, string> = {}, format: "json" | "pretty" = "json"): Promise<CliResult> {
    const result = await runCli(args, workdir, { KONTOKOLL_LOG_LEVEL: "trace", KONTOKOLL_LOG_FORMAT: format, KONTOKOLL_DEBUG: "1", ...env });
    outputs.push({ name: `${label}: stdout`, text: result.stdout }, { name: `${label}: stderr`, text: result.stderr });
    return result;
  }

  function writeDotEnv(secret: string): void {
    writeFileSync(path.join(workdir, ".env"), `KONTOKOLL_GRAPH_CLIENT_SECRET=${secret}\n`, { mode: 0o600 });
  }

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-secrets-"));
    mkdirSync(path.join(workdir, "demo"));
    mkdirSync(path.join(workdir, "secret"), { mode: 0o700 });
    await generateDemo({ outDir: path.join(workdir, "demo", "data") });
    fake = await startFakeGraph({ exportFolder: path.join(workdir, "demo", "data", "entra"), clientSecret: GRAPH_SECRET });
    certificatePem = readFileSync(fake.clientCertificateFile, "utf8");
    copyFileSync(fake.clientCertificateFile, path.join(workdir, "secret", "app.pem"));
    chmodSync(path.join(workdir, "secret", "app.pem"), 0o600);
    foreignPem = newCertificateWithKey(path.join(workdir, "secret"));
    writeFileSync(path.join(workdir, "secret", "foreign.pem"), foreignPem, { mode: 0o600 });
    // A key whose body lost its second half: it cannot be parsed, and the error must not quote it.
    const lines = pemBodyLines(certificatePem, "PRIVATE KEY");
    damagedPem = certificatePem.replace(lines.slice(Math.floor(lines.length / 2)).join("\n"), "");
    writeFileSync(path.join(workdir, "secret", "damaged.pem"), damagedPem, { mode: 0o600 });

    for (const [name, pem] of [["the certificate's key", certificatePem], ["the foreign certificate's key", foreignPem]] as const) {
      const body = pemBodyLines(pem, "PRIVATE KEY");
      const block = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/.exec(pem)![0];
      planted.push({ name: `${name} (PEM)`, value: block }, { name: `${name} (base64 body)`, value: body.join("") });
      // A full 64-character line is specific to the key; the short last line could match by chance.
      for (const [index, line] of body.entries()) if (line.length === 64) planted.push({ name: `${name}, line ${index + 1}`, value: line });
    }
    planted.push({ name: "the Graph client secret", value: GRAPH_SECRET }, { name: "the wrong client secret", value: WRONG_SECRET });
    inputs = new Set(filesUnder(workdir));
  });

  after(async () => {
    await fake?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  it("with the client secret from .env: audit, snapshot, report, test-connection, check-config and the scheduler succeed", async () => {
    writeDotEnv(GRAPH_SECRET);
    const config = graphConfig("secret", "");
    const audit = await run("audit (secret)", ["audit", "-c", config, "--save-snapshot", "out/secret/snapshot.json.gz"]);
    assert.equal(audit.status, 0, audit.stderr.slice(-2000));
    assert.match(audit.stdout, /entra +\d+ read, 0 rejected/);
    assert.match(audit.stderr, /"level":20/, "debug lines were logged");
    for (const args of [["report", "-c", config, "--json"], ["test-connection", "-c", config], ["test-connection", "-c", config, "--json"], ["check-config", "-c", config]]) {
      const result = await run(`${args[0]} (secret)`, args, {}, "pretty");
      assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr.slice(-2000)}`);
    }

    // The scheduler catches up both jobs at start and writes its status file; then it is stopped.
    const statusFile = path.join(workdir, "out", "secret", "status.json");
    const child = spawn(process.execPath, [CLI, "schedule", "-c", config, "--status-file", statusFile], { cwd: workdir, env: { ...cleanEnv(), KONTOKOLL_LOG_LEVEL: "trace", KONTOKOLL_LOG_FORMAT: "json" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    for (;;) {
      const status = ((): { jobs?: { weeklyReport?: { lastRun?: { result: string } | null } } } | undefined => {
        try {
          return JSON.parse(readFileSync(statusFile, "utf8")) as { jobs?: { weeklyReport?: { lastRun?: { result: string } | null } } };
        } catch {
          return undefined;
        }
      })();
      if (status?.jobs?.weeklyReport?.lastRun != null) {
        assert.equal(status.jobs.weeklyReport.lastRun.result, "ok", stderr.slice(-2000));
        break;
      }
      if (child.exitCode !== null) assert.fail(`the scheduler ended early: ${stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr.slice(-2000));
    outputs.push({ name: "schedule: stdout", text: stdout }, { name: "schedule: stderr", text: stderr });
  });

  it("with the client certificate from a file and from the environment: the audit reads Entra with the key", async () => {
    rmSync(path.join(workdir, ".env"), { force: true });
    const tokensBefore = fake.tokenRequests;
    const fromFile = await run("audit (certificate file)", ["audit", "-c", graphConfig("certificate-file", "certificateFile: ../secret/app.pem"), "--json"], {}, "pretty");
    assert.equal(fromFile.status, 0, fromFile.stderr.slice(-2000));
    const fromEnv = await run("audit (certificate in the environment)", ["audit", "-c", graphConfig("certificate-env", ""), "--no-report"], { KONTOKOLL_GRAPH_CERTIFICATE: certificatePem }, "pretty");
    assert.equal(fromEnv.status, 0, fromEnv.stderr.slice(-2000));
    assert.ok(fake.tokenRequests >= tokensBefore + 2, "both runs asked for a token with the certificate");
  });

  it("a wrong secret, a foreign certificate and a damaged key: Entra is not read, the run says why, and no message quotes the secret", async () => {
    writeDotEnv(WRONG_SECRET);
    const wrong = await run("audit (wrong secret)", ["audit", "-c", graphConfig("wrong-secret", "")]);
    assert.equal(wrong.status, 3, wrong.stderr.slice(-2000));
    assert.match(wrong.stdout, /could not be read/);
    const wrongProbe = await run("test-connection (wrong secret)", ["test-connection", "-c", graphConfig("wrong-secret", ""), "--json"], {}, "pretty");
    assert.notEqual(wrongProbe.status, 0);
    rmSync(path.join(workdir, ".env"), { force: true });

    for (const [name, file] of [["foreign certificate", "foreign.pem"], ["damaged key", "damaged.pem"]] as const) {
      const result = await run(`audit (${name})`, ["audit", "-c", graphConfig(name.replace(" ", "-"), `certificateFile: ../secret/${file}`)]);
      assert.equal(result.status, 3, `${name}: ${result.stderr.slice(-2000)}`);
      assert.match(result.stdout, /could not be read/, `${name}: the summary says Entra could not be read`);
      assert.match(result.stdout + result.stderr, /cannot get a token/, `${name}: the reason is given`);
    }
  });

  it("the logger's redaction, at trace level in both formats, masks secret fields a caller might pass by mistake", () => {
    for (const format of ["json", "pretty"]) {
      const logged = spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { createLogger } from ${JSON.stringify(path.resolve("dist/src/log.js"))};
           const log = createLogger("trace", ${JSON.stringify(format)});
           log.trace({ password: process.env.P, secret: process.env.P, source: { bindPassword: process.env.P, clientSecret: process.env.P, certificate: process.env.K, privateKey: process.env.K } }, "planted");`,
        ],
        { encoding: "utf8", env: { ...cleanEnv(), P: GRAPH_SECRET, K: certificatePem } },
      );
      assert.equal(logged.status, 0, logged.stderr);
      assert.match(logged.stderr, /planted/, "the line was written");
      assert.ok(logged.stderr.includes("[redacted]"));
      outputs.push({ name: `logger (${format})`, text: logged.stderr });
    }
  });

  it("none of the planted values is in any output or any file written", () => {
    /** Which planted values these bytes hold, read as UTF-8 and as UTF-16. */
    const leaks = (bytes: Buffer): string[] => {
      const found = new Set<string>();
      for (const text of [bytes.toString("utf8"), bytes.toString("utf16le")]) {
        for (const { name, value } of planted) if (text.includes(value)) found.add(name);
      }
      return [...found];
    };
    // The search finds what it looks for: the certificate file holds the key, a log line the secret.
    assert.ok(leaks(Buffer.from(certificatePem)).includes("the certificate's key (PEM)"));
    assert.ok(leaks(Buffer.from(certificatePem)).includes("the certificate's key, line 2"));
    assert.ok(leaks(Buffer.from(`{"msg":"token","secret":"${GRAPH_SECRET}"}`, "utf16le")).includes("the Graph client secret"));

    const written = filesUnder(workdir).filter((file) => !inputs.has(file) && path.basename(file) !== ".env");
    const kinds = (suffix: string) => written.filter((file) => file.endsWith(suffix)).length;
    assert.ok(kinds(".xlsx") > 10, "the weekly and manager workbooks");
    assert.ok(kinds("kontokoll.sqlite") >= 5, "a store per configuration");
    assert.ok(kinds("snapshot.json.gz") === 1, "the saved snapshot");
    assert.ok(kinds("status.json") === 1, "the scheduler's status file");
    const said = outputs.reduce((sum, output) => sum + output.text.length, 0);
    assert.ok(outputs.length >= 20 && said > 20_000, `the commands said something: ${outputs.length} outputs, ${said} characters`);

    const found: string[] = [];
    for (const { name, text } of outputs) for (const leak of leaks(Buffer.from(text))) found.push(`${name}: ${leak}`);
    for (const file of written) {
      for (const bytes of readableContents(file)) for (const leak of leaks(bytes)) found.push(`${path.relative(workdir, file)}: ${leak}`);
    }
    assert.deepEqual(found, []);
  });
});
