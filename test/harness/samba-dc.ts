/**
 * A real Samba AD domain controller on a loopback address, for integration tests of the LDAP source.
 *
 * Needs root (LDAP ports 389/636, `ip addr add`) and the Debian packages in SAMBA_PACKAGES. One DC
 * holds ports 389/636/3268/3269 of its address, so DCs that run at the same time need different
 * addresses; tests use one DC for a whole `describe`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Attribute, Client } from "ldapts";
import { sidFromBytes, UAC } from "../../src/sources/ad/decode.js";

/** What `.ci/run` (or ensureSambaInstalled) must install on a fresh Debian 12. */
export const SAMBA_PACKAGES = ["samba", "samba-ad-dc", "samba-ad-provision", "ldap-utils", "openssl", "iproute2"] as const;

export const DEFAULT_DC_ADDRESS = "127.0.0.2";
export const DEFAULT_REALM = "KONTOKOLL.TEST";
export const READER_SAM_ACCOUNT_NAME = "kk-reader";

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

export interface SambaDc {
  address: string;
  /** "ldaps://<address>:636" */
  ldapsUrl: string;
  /** "ldap://<address>:389" (StartTLS works on it) */
  ldapUrl: string;
  /** PEM of the CA that signed the DC's certificate. */
  caFile: string;
  /** PEM of an unrelated CA, for "wrong CA must fail" tests. */
  otherCaFile: string;
  /** e.g. "KONTOKOLL.TEST" */
  realm: string;
  /** e.g. "kontokoll.test" */
  dnsDomain: string;
  /** e.g. "DC=kontokoll,DC=test" */
  baseDn: string;
  /** objectSid of the domain head, "S-1-5-21-…". */
  domainSid: string;
  /** NetBIOS domain name, e.g. "KONTOKOLL". */
  netbios: string;
  adminDn: string;
  adminUpn: string;
  adminPassword: string;
  /** An ordinary domain user in no admin group: the least-privilege bind account the tool uses. */
  readerDn: string;
  readerUpn: string;
  readerPassword: string;
  /** The temporary folder holding everything of this DC; stop() removes it. */
  dataDir: string;
  /** Samba's smb.conf, for tools that act on the DC locally (see systemPython). */
  smbConf: string;
  timings: SambaDcStartupTimings;
  /** PID of the running samba process; changes on restart(). */
  readonly pid: number;
  /** Stops samba (SIGTERM, then SIGKILL) and removes dataDir. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops samba and starts it again on the same data; resolves when LDAPS answers again. */
  restart(): Promise<void>;
  /** SIGKILLs samba at once, leaving the data; for "server died mid-search" tests. */
  kill(): void;
}

export interface SambaDcStartupTimings {
  /** samba-tool domain provision; 0 when this process had already provisioned the realm (copied). */
  provisionMs: number;
  certificatesMs: number;
  /** From spawning samba to the first successful LDAPS bind. */
  startMs: number;
  /** Reading the domain SID and creating the reader account. */
  readerMs: number;
}

export interface StartSambaDcOptions {
  /** A 127.0.0.0/8 address; default 127.0.0.2. */
  address?: string;
  /** Kerberos realm / DNS domain in upper case; default KONTOKOLL.TEST. */
  realm?: string;
}

// ---------------------------------------------------------------------------------------------
// Small process helpers

interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. `secrets` are blanked out of any error message, because
 * errors end up in CI logs.
 */
function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; secrets?: readonly string[]; timeoutMs?: number } = {},
): CommandResult {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: options.env ?? process.env,
    input: options.input,
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    const redact = (text: string) => (options.secrets ?? []).reduce((acc, secret) => acc.split(secret).join("***"), text);
    const output = redact(`${result.stderr ?? ""}\n${result.stdout ?? ""}`).trim().split("\n").slice(-LOG_TAIL_LINES).join("\n");
    const why = result.error !== undefined ? result.error.message : `exit status ${result.status ?? result.signal}`;
    throw new Error(`${command} ${redact(args.join(" "))} failed (${why}):\n${output}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Full path of an executable, searching the sbin folders too (samba lives in /usr/sbin). */
function findExecutable(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const folder of folders) {
    if (folder === "") continue;
    const candidate = path.join(folder, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function requireExecutable(name: string): string {
  const found = findExecutable(name);
  if (found === undefined) {
    throw new Error(`"${name}" not found; install: apt-get install -y --no-install-recommends ${SAMBA_PACKAGES.join(" ")}`);
  }
  return found;
}

function tailOfFile(file: string, lines = LOG_TAIL_LINES): string {
  if (!existsSync(file)) return `(${file} does not exist)`;
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Installation and host preparation

let installationChecked = false;

/** Installs Samba with apt-get when samba-tool is missing (fresh CI machines). */
export function ensureSambaInstalled(): void {
  if (installationChecked) return;
  const missing = ["samba-tool", "samba", "ldapsearch", "openssl", "ip"].filter((tool) => findExecutable(tool) === undefined);
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`missing ${missing.join(", ")} and not root; install: apt-get install -y --no-install-recommends ${SAMBA_PACKAGES.join(" ")}`);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      runCommand("apt-get", ["update", "-qq"], { env, timeoutMs: 600_000 });
      runCommand("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...SAMBA_PACKAGES], { env, timeoutMs: 900_000 });
    } catch (error) {
      throw new Error(`could not install Samba (missing: ${missing.join(", ")}): ${(error as Error).message}`);
    }
    const stillMissing = ["samba-tool", "samba"].filter((tool) => findExecutable(tool) === undefined);
    if (stillMissing.length > 0) throw new Error(`apt-get install succeeded but ${stillMissing.join(", ")} is still missing`);
  }
  installationChecked = true;
}

/**
 * Why this machine cannot run the test DC, or undefined when it can (Samba itself may still need
 * installing, which startSambaDc does). Tests skip with this reason rather than fail.
 */
export function sambaDcUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return `the Samba test DC runs on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "the Samba test DC needs root (LDAP ports 389/636, `ip addr add`, apt-get)";
  return undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Only loopback: the DC has a well-known admin account and must never listen on a real network. */
export function assertLoopbackAddress(address: string): void {
  const match = IPV4.exec(address);
  const octets = match === null ? [] : match.slice(1).map(Number);
  if (octets.length !== 4 || octets.some((octet) => octet > 255) || octets[0] !== 127) {
    throw new Error(`Samba test DC address must be an IPv4 address in 127.0.0.0/8, got "${address}"`);
  }
}

/** Samba binds only to addresses it finds on an interface; 127.0.0.2 is not on lo by default. */
function ensureAddressOnLoopback(address: string): void {
  const ip = requireExecutable("ip");
  const shown = runCommand(ip, ["-o", "-4", "addr", "show", "dev", "lo"]).stdout;
  if (shown.includes(` ${address}/`)) return;
  runCommand(ip, ["addr", "add", `${address}/8`, "dev", "lo"]);
}

/** Fails early, with a useful message, when a previous run left a DC on this address. */
async function assertPortFree(address: string, port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, address);
  });
  if (inUse) {
    const holders = findExecutable("ss") === undefined ? "" : spawnSync("ss", ["-ltnp", `src ${address}:${port}`], { encoding: "utf8" }).stdout;
    throw new Error(`${address}:${port} is already in use (a DC left over from another run?):\n${holders}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets and certificates

/** A password Samba's complexity rules accept (upper, lower, digit, symbol), unique per call. */
export function randomPassword(): string {
  return `Kk-${randomBytes(18).toString("base64url")}-7q`;
}

interface TestPki {
  caFile: string;
  otherCaFile: string;
  serverKeyFile: string;
  serverCertFile: string;
}

function createTestPki(folder: string, address: string, dnsDomain: string): TestPki {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const openssl = requireExecutable("openssl");
  const file = (name: string) => path.join(folder, name);
  const makeCa = (name: string, subject: string) =>
    runCommand(openssl, [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", subject,
      "-keyout", file(`${name}.key`), "-out", file(`${name}.pem`),
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  makeCa("ca", "/CN=kontokoll test CA");
  makeCa("other-ca", "/CN=kontokoll unrelated test CA");
  runCommand(openssl, [
    "req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=dc1.${dnsDomain}`,
    "-keyout", file("server.key"), "-out", file("server.csr"),
  ]);
  writeFileSync(
    file("server.ext"),
    [
      `subjectAltName=DNS:dc1.${dnsDomain},DNS:localhost,IP:${address}`,
      "extendedKeyUsage=serverAuth",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "",
    ].join("\n"),
  );
  runCommand(openssl, [
    "x509", "-req", "-days", "7", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
    "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-extfile", file("server.ext"), "-out", file("server.pem"),
  ]);
  // Samba refuses a TLS key that others can read.
  for (const key of ["ca.key", "other-ca.key", "server.key"]) chmodSync(file(key), 0o600);
  return { caFile: file("ca.pem"), otherCaFile: file("other-ca.pem"), serverKeyFile: file("server.key"), serverCertFile: file("server.pem") };
}

// ---------------------------------------------------------------------------------------------
// Provisioning: once per realm and process, then copied, because provisioning takes ~5 s

interface ProvisionedTemplate {
  folder: string;
  adminPassword: string;
}

const templatesByRealm = new Map<string, ProvisionedTemplate>();
const liveTemporaryFolders = new Set<string>();
const TEMPORARY_PREFIX = "kontokoll-samba-";
const OWNER_FILE = "owner.pid";

/** A temporary folder that names its owning process, so a later run can tell it is stale. */
function makeOwnedTemporaryFolder(kind: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), `${TEMPORARY_PREFIX}${kind}`));
  writeFileSync(path.join(folder, OWNER_FILE), String(process.pid));
  return folder;
}

let staleFoldersSwept = false;

/**
 * A test run killed with SIGKILL cannot clean up: its samba ends by itself (EOF on stdin), but
 * its folders stay. Remove those whose owner process is gone; never touch a live run's folders.
 */
function sweepStaleFolders(): void {
  if (staleFoldersSwept) return;
  staleFoldersSwept = true;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMPORARY_PREFIX)) continue;
    const folder = path.join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(folder, OWNER_FILE), "utf8").trim());
    } catch {
      continue;
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !isProcessAlive(owner)) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

function netbiosOfRealm(realm: string): string {
  return realm.split(".")[0]!.toUpperCase().slice(0, 15);
}

function provisionTemplate(realm: string): ProvisionedTemplate {
  const cached = templatesByRealm.get(realm);
  if (cached !== undefined) return cached;
  const folder = makeOwnedTemporaryFolder("template-");
  liveTemporaryFolders.add(folder);
  const adminPassword = randomPassword();
  runCommand(
    requireExecutable("samba-tool"),
    [
      "domain", "provision",
      `--targetdir=${path.join(folder, "dc")}`,
      `--realm=${realm}`,
      `--domain=${netbiosOfRealm(realm)}`,
      "--server-role=dc",
      "--dns-backend=NONE",
      `--adminpass=${adminPassword}`,
      "--host-name=dc1",
      "--option=server services = ldap",
    ],
    { secrets: [adminPassword] },
  );
  const template = { folder, adminPassword };
  templatesByRealm.set(realm, template);
  return template;
}

function writeSmbConf(options: {
  file: string;
  dcFolder: string;
  runFolder: string;
  logFile: string;
  realm: string;
  address: string;
  pki: TestPki;
}): void {
  const { dcFolder, realm, pki } = options;
  const lines = [
    "[global]",
    "netbios name = DC1",
    `realm = ${realm}`,
    `workgroup = ${netbiosOfRealm(realm)}`,
    "server role = active directory domain controller",
    "server services = ldap",
    `interfaces = ${options.address}`,
    "bind interfaces only = yes",
    `private dir = ${path.join(dcFolder, "private")}`,
    `lock directory = ${dcFolder}`,
    `state directory = ${path.join(dcFolder, "state")}`,
    `cache directory = ${path.join(dcFolder, "cache")}`,
    `binddns dir = ${path.join(dcFolder, "bind-dns")}`,
    // Otherwise samba.pid collides with a system Samba's /run/samba/samba.pid.
    `pid directory = ${options.runFolder}`,
    `log file = ${options.logFile}`,
    "logging = file",
    "log level = 1",
    "panic action =",
    "tls enabled = yes",
    `tls keyfile = ${pki.serverKeyFile}`,
    `tls certfile = ${pki.serverCertFile}`,
    `tls cafile = ${pki.caFile}`,
    // Simple binds are what the tool uses; this lets them through on StartTLS as well as LDAPS.
    "ldap server require strong auth = no",
    // Test data is disposable: skipping fsync makes bulk adds several times faster.
    "ldb:nosync = true",
    "",
  ];
  writeFileSync(options.file, lines.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Process lifetime

interface RunningDc {
  child: ChildProcess | undefined;
  dataDir: string;
}

const runningDcs = new Set<RunningDc>();
let exitHandlerInstalled = false;

/** Last resort for a crashed run: 'exit' handlers must be synchronous, so SIGKILL and rmSync. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on("exit", () => {
    for (const dc of runningDcs) {
      const pid = dc.child?.pid;
      if (pid !== undefined && dc.child?.exitCode === null && dc.child.signalCode === null) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(dc.dataDir, { recursive: true, force: true });
    }
    for (const folder of liveTemporaryFolders) rmSync(folder, { recursive: true, force: true });
  });
}

function spawnSamba(smbConf: string, outputFile: string): ChildProcess {
  const output = openSync(outputFile, "a");
  try {
    // -i keeps samba in the foreground and makes it exit on EOF of stdin: we hold stdin as a
    // pipe and never write to it, so if this Node process dies in any way (even SIGKILL), the
    // pipe closes and samba ends itself. --no-process-group keeps it in our process group, so
    // Ctrl-C on the test run reaches it too.
    const child = spawn(requireExecutable("samba"), ["-s", smbConf, "-i", "-M", "single", "--no-process-group"], {
      stdio: ["pipe", output, output],
    });
    // Neither the child nor its stdin pipe may keep mocha alive if a test forgets stop().
    child.unref();
    if (child.stdin instanceof Socket) child.stdin.unref();
    child.stdin?.on("error", () => undefined);
    return child;
  } finally {
    closeSync(output);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  child.kill("SIGTERM");
  if (await waitForExit(child, STOP_GRACE_MS)) return;
  child.kill("SIGKILL");
  if (!(await waitForExit(child, STOP_GRACE_MS))) throw new Error(`samba (pid ${child.pid}) did not die on SIGKILL`);
}

function tlsHandshake(address: string, ca: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: address, port: 636, ca: [ca], timeout: 2_000 });
    socket.once("secureConnect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error("TLS handshake timed out"));
    });
    socket.once("error", (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** Resolves once LDAPS completes a handshake and an admin bind works (the database is loaded). */
async function waitUntilReady(options: {
  child: ChildProcess;
  address: string;
  ca: Buffer;
  adminDn: string;
  adminPassword: string;
  logFiles: string[];
}): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = "not tried";
  const logs = () => options.logFiles.map((file) => `--- ${file}:\n${tailOfFile(file)}`).join("\n");
  while (Date.now() < deadline) {
    if (hasExited(options.child)) {
      throw new Error(`samba exited during start (${options.child.exitCode ?? options.child.signalCode}):\n${logs()}`);
    }
    try {
      await tlsHandshake(options.address, options.ca);
      const client = new Client({ url: `ldaps://${options.address}:636`, tlsOptions: { ca: [options.ca] }, connectTimeout: 2_000, timeout: 5_000 });
      try {
        await client.bind(options.adminDn, options.adminPassword);
      } finally {
        await client.unbind().catch(() => undefined);
      }
      return;
    } catch (error) {
      lastError = (error as Error).message;
      await sleep(250);
    }
  }
  throw new Error(`samba did not answer on ldaps://${options.address}:636 within ${READY_TIMEOUT_MS / 1000} s (last: ${lastError}):\n${logs()}`);
}

// ---------------------------------------------------------------------------------------------
// LDAP helpers shared with scenario.ts

/** An unbound LDAPS client that trusts the DC's test CA. */
export function ldapsClient(dc: SambaDc): Client {
  return new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [readFileSync(dc.caFile)] }, connectTimeout: 5_000, timeout: 120_000 });
}

/** unicodePwd wants the password in double quotes, UTF-16LE, and only over an encrypted connection. */
export function unicodePwdValue(password: string): Buffer {
  return Buffer.from(`"${password}"`, "utf16le");
}

async function readDomainSid(client: Client, baseDn: string): Promise<string> {
  const { searchEntries } = await client.search(baseDn, { scope: "base", attributes: ["objectSid"], explicitBufferAttributes: ["objectSid"] });
  const sid = searchEntries[0]?.objectSid;
  if (!Buffer.isBuffer(sid)) throw new Error(`no objectSid on ${baseDn}`);
  return sidFromBytes(sid);
}

async function createReaderAccount(client: Client, readerDn: string, readerUpn: string, password: string): Promise<void> {
  await client.add(readerDn, [
    new Attribute({ type: "objectClass", values: ["top", "person", "organizationalPerson", "user"] }),
    new Attribute({ type: "sAMAccountName", values: [READER_SAM_ACCOUNT_NAME] }),
    new Attribute({ type: "userPrincipalName", values: [readerUpn] }),
    new Attribute({ type: "displayName", values: ["kontokoll läskonto"] }),
    new Attribute({ type: "description", values: ["Least-privilege bind account for kontokoll tests"] }),
    new Attribute({ type: "unicodePwd", values: [unicodePwdValue(password)] }),
    // A real bind account's password is typically set not to expire.
    new Attribute({ type: "userAccountControl", values: [String(UAC.NORMAL_ACCOUNT | UAC.DONT_EXPIRE_PASSWORD)] }),
  ]);
}

// ---------------------------------------------------------------------------------------------

/** Provisions (or copies a provisioned template), configures TLS, starts samba and waits for LDAPS. */
export async function startSambaDc(options: StartSambaDcOptions = {}): Promise<SambaDc> {
  const address = options.address ?? DEFAULT_DC_ADDRESS;
  const realm = (options.realm ?? DEFAULT_REALM).toUpperCase();
  assertLoopbackAddress(address);
  if (!/^[A-Z0-9-]+(\.[A-Z0-9-]+)+$/.test(realm)) throw new Error(`realm must look like a DNS domain, got "${realm}"`);
  const unavailable = sambaDcUnavailableReason();
  if (unavailable !== undefined) throw new Error(unavailable);
  const timings: SambaDcStartupTimings = { provisionMs: 0, certificatesMs: 0, startMs: 0, readerMs: 0 };
  ensureSambaInstalled();
  installExitHandler();
  sweepStaleFolders();
  ensureAddressOnLoopback(address);
  await assertPortFree(address, 636);
  await assertPortFree(address, 389);

  const dnsDomain = realm.toLowerCase();
  const baseDn = dnsDomain
    .split(".")
    .map((label) => `DC=${label}`)
    .join(",");
  const netbios = netbiosOfRealm(realm);
  let started = performance.now();
  const template = provisionTemplate(realm);
  timings.provisionMs = Math.round(performance.now() - started);

  const dataDir = makeOwnedTemporaryFolder("");
  const running: RunningDc = { child: undefined, dataDir };
  runningDcs.add(running);
  try {
    const dcFolder = path.join(dataDir, "dc");
    cpSync(path.join(template.folder, "dc"), dcFolder, { recursive: true });
    const runFolder = path.join(dataDir, "run");
    mkdirSync(runFolder);
    started = performance.now();
    const pki = createTestPki(path.join(dataDir, "tls"), address, dnsDomain);
    timings.certificatesMs = Math.round(performance.now() - started);
    const smbConf = path.join(dcFolder, "etc", "smb.conf");
    const logFile = path.join(dataDir, "samba.log");
    const outputFile = path.join(dataDir, "samba.out");
    writeSmbConf({ file: smbConf, dcFolder, runFolder, logFile, realm, address, pki });
    const ca = readFileSync(pki.caFile);

    const adminDn = `CN=Administrator,CN=Users,${baseDn}`;
    const adminUpn = `Administrator@${dnsDomain}`;
    const adminPassword = template.adminPassword;
    const readerDn = `CN=${READER_SAM_ACCOUNT_NAME},CN=Users,${baseDn}`;
    const readerUpn = `${READER_SAM_ACCOUNT_NAME}@${dnsDomain}`;
    const readerPassword = randomPassword();

    const start = async () => {
      // After kill() the pid file stays; samba would refuse to start if its pid were reused.
      rmSync(path.join(runFolder, "samba.pid"), { force: true });
      running.child = spawnSamba(smbConf, outputFile);
      await waitUntilReady({ child: running.child, address, ca, adminDn, adminPassword, logFiles: [outputFile, logFile] });
    };
    started = performance.now();
    await start();
    timings.startMs = Math.round(performance.now() - started);

    let stopped = false;
    const dc: SambaDc = {
      address,
      ldapsUrl: `ldaps://${address}:636`,
      ldapUrl: `ldap://${address}:389`,
      caFile: pki.caFile,
      otherCaFile: pki.otherCaFile,
      realm,
      dnsDomain,
      baseDn,
      domainSid: "",
      netbios,
      adminDn,
      adminUpn,
      adminPassword,
      readerDn,
      readerUpn,
      readerPassword,
      dataDir,
      smbConf,
      timings,
      get pid(): number {
        return running.child?.pid ?? -1;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        if (running.child !== undefined) await stopChild(running.child);
        rmSync(dataDir, { recursive: true, force: true });
        runningDcs.delete(running);
      },
      async restart() {
        if (stopped) throw new Error("restart() after stop()");
        if (running.child !== undefined) await stopChild(running.child);
        await start();
      },
      kill() {
        const child = running.child;
        if (child !== undefined && !hasExited(child)) child.kill("SIGKILL");
      },
    };

    started = performance.now();
    const client = ldapsClient(dc);
    try {
      await client.bind(adminDn, adminPassword);
      dc.domainSid = await readDomainSid(client, baseDn);
      await createReaderAccount(client, readerDn, readerUpn, readerPassword);
    } finally {
      await client.unbind().catch(() => undefined);
    }
    timings.readerMs = Math.round(performance.now() - started);
    return dc;
  } catch (error) {
    if (running.child !== undefined) await stopChild(running.child).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    runningDcs.delete(running);
    throw error;
  }
}

/**
 * Samba's own Python (the interpreter samba-tool runs on, with the `samba` bindings), for what
 * LDAP refuses even to Administrator: it opens sam.ldb directly as the system session.
 */
export function systemPython(): string {
  const samba = requireExecutable("samba-tool");
  const shebang = readFileSync(samba, "utf8").split("\n", 1)[0] ?? "";
  const interpreter = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0] : undefined;
  return interpreter !== undefined && existsSync(interpreter) ? interpreter : "/usr/bin/python3";
}

/**
 * The `sources.ad` block of a kontokoll configuration that reads this DC as the reader, over
 * LDAPS with the test CA; the password is taken from `passwordEnv`.
 */
export function ldapSourceYaml(dc: SambaDc, passwordEnv: string, extraLines: string[] = []): string[] {
  return [
    "  ad:",
    "    type: ldap",
    `    url: ${dc.ldapsUrl}`,
    `    caFile: ${JSON.stringify(dc.caFile)}`,
    `    bindDn: ${dc.readerUpn}`,
    `    bindPasswordEnv: ${passwordEnv}`,
    ...extraLines.map((line) => `    ${line}`),
  ];
}
