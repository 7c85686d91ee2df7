/** Compact JWTs: the access tokens the fake issues, and the client assertions it verifies. */
import { constants, createHash, createSign, createVerify, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import { isJsonObject, type JsonObject } from "./types.js";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  try {
    const header: unknown = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8"));
    const payload: unknown = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
    if (!isJsonObject(header) || !isJsonObject(payload)) return undefined;
    return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, "base64url") };
  } catch {
    return undefined;
  }
}

/** Signs and checks the access tokens; the key lives only as long as the server. */
export class TokenIssuer {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid = randomUUID();

  constructor() {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  issue(claims: JsonObject): string {
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: this.kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(this.privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  }

  /** The claims of a token this issuer signed, or why it is not acceptable (Graph's messages). */
  verify(token: string, nowSeconds: number): { claims: JsonObject } | { problem: string } {
    const decoded = decodeJwt(token);
    if (decoded === undefined) return { problem: "IDX14100: JWT is not well formed, there are no dots (.)." };
    if (decoded.header["alg"] !== "RS256" || decoded.header["kid"] !== this.kid) return { problem: "Invalid signature." };
    const valid = createVerify("RSA-SHA256").update(decoded.signingInput).verify(this.publicKey, decoded.signature);
    if (!valid) return { problem: "Invalid signature." };
    const exp = decoded.payload["exp"];
    if (typeof exp !== "number" || exp <= nowSeconds) return { problem: "Lifetime validation failed, the token is expired." };
    if (decoded.payload["aud"] !== GRAPH_AUDIENCE) return { problem: "Invalid audience." };
    return { claims: decoded.payload };
  }

  jwks(): JsonObject {
    const jwk = this.publicKey.export({ format: "jwk" });
    return { keys: [{ kty: "RSA", use: "sig", kid: this.kid, n: jwk.n, e: jwk.e }] };
  }
}

export interface ClientCertificate {
  publicKey: KeyObject;
  /** base64url of the SHA-1 and SHA-256 thumbprints, as MSAL puts them in x5t / x5t#S256. */
  x5t: string;
  x5tS256: string;
}

export function loadClientCertificate(pem: string): ClientCertificate {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (block === null) throw new Error("clientCertificatePem holds no CERTIFICATE block");
  const certificate = new X509Certificate(block[0]);
  return {
    publicKey: certificate.publicKey,
    x5t: createHash("sha1").update(certificate.raw).digest("base64url"),
    x5tS256: createHash("sha256").update(certificate.raw).digest("base64url"),
  };
}

/** Checks a client assertion the way Entra does; returns an AADSTS code and message when it fails. */
export function verifyClientAssertion(
  assertion: string,
  certificate: ClientCertificate,
  expected: { clientId: string; audiencePrefix: string; nowSeconds: number },
): { code: number; message: string } | undefined {
  const decoded = decodeJwt(assertion);
  if (decoded === undefined) return { code: 50027, message: "JWT token is invalid or malformed." };
  const { header, payload } = decoded;
  const thumbprint = header["x5t#S256"] ?? header["x5t"];
  const registered = header["x5t#S256"] !== undefined ? certificate.x5tS256 : certificate.x5t;
  if (thumbprint !== undefined && thumbprint !== registered) {
    return { code: 700027, message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}']` };
  }
  let valid: boolean;
  if (header["alg"] === "RS256") {
    valid = createVerify("RSA-SHA256").update(decoded.signingInput).verify(certificate.publicKey, decoded.signature);
  } else if (header["alg"] === "PS256") {
    valid = createVerify("RSA-SHA256")
      .update(decoded.signingInput)
      .verify({ key: certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, decoded.signature);
  } else {
    return { code: 5002738, message: `Invalid JWT token. '${String(header["alg"])}' is not a supported signature algorithm.` };
  }
  if (!valid) return { code: 700027, message: "Client assertion failed signature validation." };
  if (payload["iss"] !== expected.clientId || payload["sub"] !== expected.clientId) {
    return { code: 700021, message: "Client assertion application identifier doesn't match 'client_id' parameter." };
  }
  const aud = payload["aud"];
  if (typeof aud !== "string" || !aud.startsWith(expected.audiencePrefix)) {
    return { code: 700212, message: `No matching federated identity record found for presented assertion audience '${String(aud)}'.` };
  }
  const exp = payload["exp"];
  if (typeof exp !== "number" || exp <= expected.nowSeconds) return { code: 700024, message: "Client assertion is not within its valid time range." };
  const nbf = payload["nbf"];
  if (typeof nbf === "number" && nbf > expected.nowSeconds + 300) return { code: 700024, message: "Client assertion is not within its valid time range." };
  return undefined;
}
