/** The HTTPS server: routing between the OAuth endpoints and Graph, authentication, chaos, logging. */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isIPv6 } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFakeGraphPki } from "./certs.js";
import { Chaos } from "./chaos.js";
import { DataStore } from "./collections.js";
import { decodePath, faultResult, logEntry, serveBatch, serveCollection, settle, type GraphState } from "./graph.js";
import { loadClientCertificate, TokenIssuer } from "./jwt.js";
import { openIdConfiguration, signingKeys, tokenEndpoint, type OAuthResult, type OAuthState } from "./oauth.js";
import { parseQuery } from "./odata.js";
import { graphError, type GraphResult } from "./responses.js";
import { DEFAULT_GRANTED_ROLES } from "./routes.js";
import { Throttler } from "./throttle.js";
import type { FakeGraph, FakeGraphOptions, GraphVersion, JsonObject, Licences, RequestLogEntry } from "./types.js";

export const DEFAULT_TENANT_ID = "6f1c2b9e-4a7d-4c21-9b3e-2d8f5a0c7e14";
export const DEFAULT_CLIENT_ID = "3b8e5d2a-91c4-4f6e-a7b0-c5d9e8f1a234";
const SERVICE_PRINCIPAL_ID = "a4c7e9f1-2b3d-4e5f-8a9b-0c1d2e3f4a5b";
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body)) });
  response.end(body);
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const host = options.host ?? "127.0.0.1";
  const folder = mkdtempSync(path.join(tmpdir(), "kontokoll-fake-graph-"));
  let server: Server | undefined;
  try {
    const pki = createFakeGraphPki(folder, host, options.serverCertificateDays);
    const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
    const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    const clientSecret = options.clientSecret ?? `kk~${randomBytes(24).toString("base64url")}`;
    let licences: Required<Licences> = { p1: true, p2: true, intune: true, ...options.licences };
    let grantedRoles: readonly string[] = options.grantedRoles ?? DEFAULT_GRANTED_ROLES;
    let origin = "";
    const requests: RequestLogEntry[] = [];
    let tokenRequests = 0;
    const issuer = new TokenIssuer();
    const chaos = new Chaos(options.chaos ?? []);
    const throttle = new Throttler(options.throttle ?? {});
    const store = new DataStore(options.exportFolder);
    const pendingHangs = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
    const sockets = new Set<Socket>();

    const oauth: OAuthState = {
      origin: () => origin,
      tenantId,
      clientId,
      clientSecret,
      certificate: loadClientCertificate(options.clientCertificatePem ?? pki.clientCertificatePem),
      roles: () => grantedRoles,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
      issuer,
      servicePrincipalId: SERVICE_PRINCIPAL_ID,
    };
    const graph: GraphState = {
      store,
      routes: { store, tenantId, licences: () => licences },
      origin: () => origin,
      licences: () => licences,
      pageSizeCaps: { ...options.pageSizeCaps },
      throttle,
      chaos,
      tenantId,
      clientId,
      log: (entry) => requests.push(entry),
    };

    const hang = (ms: number) =>
      new Promise<void>((resolve) => {
        const pending = { timer: setTimeout(() => finish(), ms), resolve: () => finish() };
        function finish() {
          clearTimeout(pending.timer);
          pendingHangs.delete(pending);
          resolve();
        }
        pendingHangs.add(pending);
      });

    const sendOAuth = (response: ServerResponse, entry: RequestLogEntry, result: OAuthResult) => {
      entry.status = result.status;
      if (result.errorCode !== undefined) entry.errorCode = result.errorCode;
      send(response, result.status, { "Cache-Control": "no-store, no-cache", ...result.headers }, JSON.stringify(result.body));
    };

    /** Writes a Graph answer, acting out drop and malformed faults on the wire. */
    const sendGraph = (request: IncomingMessage, response: ServerResponse, result: GraphResult, wireFault?: "drop" | "malformed") => {
      const clientRequestId = request.headers["client-request-id"];
      const headers: Record<string, string> = { "request-id": randomUUID(), ...result.headers };
      if (typeof clientRequestId === "string") headers["client-request-id"] = clientRequestId;
      const json = JSON.stringify(result.body);
      if (wireFault === undefined) {
        send(response, result.status, headers, json);
        return;
      }
      if (response.destroyed) return;
      const cut = Math.max(1, Math.floor(json.length / 2));
      if (wireFault === "malformed") {
        send(response, 200, headers, `${json.slice(0, cut)}<html><body>upstream connect error or disconnect/reset before headers</body></html>`);
        return;
      }
      // Announce the whole body, send half, then cut the connection: the client sees a truncated 200.
      response.writeHead(200, { ...headers, "Content-Length": String(Buffer.byteLength(json)) });
      response.flushHeaders();
      response.write(json.slice(0, cut), () => {
        setTimeout(() => response.socket?.destroy(), 20);
      });
    };

    const handleGraph = async (request: IncomingMessage, response: ServerResponse, version: GraphVersion, rawPath: string, rawQuery: string) => {
      const method = (request.method ?? "GET").toUpperCase();
      const pathWithoutVersion = decodePath(rawPath);
      const entry = logEntry(method, version, pathWithoutVersion, parseQuery(rawQuery).logged, false);
      requests.push(entry);
      const body = method === "POST" ? await readBody(request) : "";

      const authorization = request.headers["authorization"];
      const bearer = typeof authorization === "string" && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : "";
      const verdict = bearer === "" ? { problem: "Access token is empty." } : issuer.verify(bearer, Math.floor(Date.now() / 1000));
      if ("problem" in verdict) {
        const result = graphError(401, "InvalidAuthenticationToken", verdict.problem, {
          "WWW-Authenticate": `Bearer realm="", authorization_uri="${origin}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
        });
        settle(entry, result);
        sendGraph(request, response, result);
        return;
      }
      const roles = Array.isArray(verdict.claims["roles"]) ? verdict.claims["roles"].filter((role): role is string => typeof role === "string") : [];

      const fault = chaos.match(pathWithoutVersion, method, false);
      let wireFault: "drop" | "malformed" | undefined;
      if (fault !== undefined) {
        if (fault.kind === "hang") {
          entry.fault = `hang:${fault.ms}`;
          await hang(fault.ms);
        } else if (fault.kind === "drop" || fault.kind === "malformed") {
          entry.fault = fault.kind;
          wireFault = fault.kind;
        } else {
          const result = faultResult(fault)!;
          settle(entry, result);
          sendGraph(request, response, result);
          return;
        }
      }
      const result =
        pathWithoutVersion === "$batch"
          ? method === "POST"
            ? serveBatch(graph, version, body, roles)
            : graphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
          : serveCollection(graph, { method, version, rawPath, rawQuery, roles });
      settle(entry, result);
      if (wireFault !== undefined) delete entry.objects;
      sendGraph(request, response, result, wireFault);
    };

    const handleOAuth = async (request: IncomingMessage, response: ServerResponse, segments: string[], rawQuery: string) => {
      const method = (request.method ?? "GET").toUpperCase();
      const entry = logEntry(method, "", segments.join("/"), parseQuery(rawQuery).logged, false);
      requests.push(entry);
      const [tenant = "", ...rest] = segments;
      const route = rest.join("/");
      if (method === "GET" && route === "v2.0/.well-known/openid-configuration") return sendOAuth(response, entry, openIdConfiguration(oauth, tenant));
      if (method === "GET" && route === "discovery/v2.0/keys") return sendOAuth(response, entry, signingKeys(oauth, tenant));
      if (method === "POST" && route === "oauth2/v2.0/token") {
        tokenRequests++;
        const form = new URLSearchParams(await readBody(request));
        return sendOAuth(response, entry, tokenEndpoint(oauth, tenant, form, request.headers));
      }
      entry.status = 404;
      send(response, 404, { "Content-Type": "application/json; charset=utf-8" }, JSON.stringify({ error: "not_found", error_description: `No fake endpoint for ${method} /${segments.join("/")}` }));
    };

    server = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (request, response) => {
      const target = request.url ?? "/";
      const queryStart = target.indexOf("?");
      const rawPathname = queryStart === -1 ? target : target.slice(0, queryStart);
      const rawQuery = queryStart === -1 ? "" : target.slice(queryStart + 1);
      const segments = rawPathname.split("/").filter((segment) => segment !== "");
      const first = segments[0] ?? "";
      const work =
        first === "v1.0" || first === "beta"
          ? handleGraph(request, response, first, segments.slice(1).join("/"), rawQuery)
          : handleOAuth(request, response, decodePath(segments.join("/")).split("/"), rawQuery);
      work.catch((error: unknown) => {
        // A bug in the fake must show up in the test, not as a hung request.
        const message = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
        process.stderr.write(`fake-graph: ${request.method ?? "?"} ${target}: ${message}\n`);
        send(response, 500, { "Content-Type": "application/json" }, JSON.stringify({ error: { code: "FakeGraphBug", message } }));
      });
    });
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    server.on("tlsClientError", () => {
      // Clients that distrust the CA hang up during the handshake; that is their test's business.
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(0, host, () => {
        server!.off("error", reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    origin = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    const listening = server;

    let stopped = false;
    const fake: FakeGraph = {
      baseUrl: `${origin}/`,
      authorityHost: origin,
      caFile: pki.caFile,
      caPem: pki.caPem,
      clientCertificateFile: pki.clientCertificateFile,
      tenantId,
      clientId,
      clientSecret,
      requests,
      get tokenRequests() {
        return tokenRequests;
      },
      setChaos: (rules) => chaos.set(rules),
      setThrottle: (config) => throttle.configure(config),
      setLicences: (next) => {
        licences = { p1: true, p2: true, intune: true, ...next };
      },
      setGrantedRoles: (roles) => {
        grantedRoles = [...roles];
      },
      collection: async (collectionPath, version: GraphVersion = "v1.0") => {
        const clean = collectionPath.replace(/^\/+|\/+$/g, "").split("?")[0]!;
        const members = /^groups\/([^/]+)\/(members|transitiveMembers)$/.exec(clean);
        let objects: JsonObject[];
        if (clean === "auditLogs/signIns") {
          objects = store.signIns(version);
          if (version === "v1.0") objects = objects.filter((signIn) => signIn["isInteractive"] !== false);
        } else if (members !== null) {
          objects = members[2] === "members" ? store.members(version, members[1]!) : store.transitiveMembers(version, members[1]!);
        } else {
          objects = store.stored(version, clean);
        }
        return structuredClone(objects);
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        for (const pending of [...pendingHangs]) pending.resolve();
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        rmSync(folder, { recursive: true, force: true });
      },
    };
    return fake;
  } catch (error) {
    server?.close();
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
