import { describe, expect, it } from "vitest";
import { captureLogLines } from "../testing/log-capture.ts";
import { bindLogFields, createLogger, log, REDACTED, runWithLogger } from "./logger.ts";

const capture = () => {
  const { destination, lines } = captureLogLines();
  return { stream: destination, lines };
};

const SECRETS = {
  password: "hunter2-password",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  clientSecret: "azure-client-secret-value",
  private_key: "-----BEGIN PRIVATE KEY-----abc",
  privateKeyPem: "-----BEGIN PRIVATE KEY-----oci",
  accessToken: "ya29.gcp-access-token",
  apiKey: "pk_live_api_key_value",
  eventSecret: "event-hmac-secret",
  PARAPET_MASTER_KEY: "bWFzdGVyLWtleS1iYXNlNjQ=",
  PARAPET_SMTP_URL: "smtp://user:smtp-password@relay:587",
  authorization: "Bearer secret-bearer",
  cookie: "better-auth.session_token=cookie-secret",
};

describe("logger redaction", () => {
  it("removes secrets at the top level, nested in objects and in headers, and keeps the rest", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ destination: stream, service: "test" });
    logger.info(
      {
        ...SECRETS,
        connectionId: "conn_1",
        connection: { credentials: { kind: "access-keys", accessKeyId: "AKIAEXAMPLE", secretAccessKey: SECRETS.secretAccessKey } },
        err: {
          cause: {
            response: {
              headers: {
                authorization: SECRETS.authorization,
                "x-api-key": SECRETS.apiKey,
                "set-cookie": SECRETS.cookie,
                "content-type": "application/json",
              },
            },
          },
        },
        env: { PARAPET_AUTH_SECRET: "a-32-character-auth-secret-value!!", REDIS_URL: "redis://127.0.0.1:6379" },
      },
      "a line with secrets in it",
    );
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    for (const [k, v] of Object.entries(SECRETS)) expect(text, k).not.toContain(v);
    expect(text).not.toContain("a-32-character-auth-secret-value");
    const line = lines[0]!;
    expect(line.password).toBe(REDACTED);
    expect(line.connection).toEqual({ credentials: REDACTED });
    expect((line.err as unknown as { cause: { response: { headers: unknown } } }).cause.response.headers).toEqual({
      authorization: REDACTED,
      "x-api-key": REDACTED,
      "set-cookie": REDACTED,
      "content-type": "application/json",
    });
    expect(line.env).toEqual({ PARAPET_AUTH_SECRET: REDACTED, REDIS_URL: "redis://127.0.0.1:6379" });
    expect(line).toMatchObject({ level: "info", service: "test", connectionId: "conn_1", msg: "a line with secrets in it" });
    // ISO time, not epoch milliseconds.
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("applies to child loggers' bindings too", () => {
    const { lines, stream } = capture();
    createLogger({ destination: stream }).child({ requestId: "req_1", token: "child-binding-token" }).warn("x");
    expect(JSON.stringify(lines)).not.toContain("child-binding-token");
    expect(lines[0]).toMatchObject({ requestId: "req_1", level: "warn" });
  });

  it("applies to grandchildren, to errors (serialised, with what they carry) and to arrays, and never changes the caller's objects", () => {
    const { lines, stream } = capture();
    const grandchild = createLogger({ destination: stream }).child({ requestId: "req_2" }).child({ workspaceId: "ws_1", apiKey: "gc-key" });
    const err = Object.assign(new Error("upstream refused"), {
      response: { headers: { authorization: "Bearer err-bearer", "content-type": "text/plain" } },
    });
    const payload = { items: [{ name: "a", secretAccessKey: "array-secret" }], when: new Date("2026-12-07T00:00:00.000Z") };
    grandchild.error({ err, payload }, "failed");
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    for (const secret of ["gc-key", "err-bearer", "array-secret"]) expect(text).not.toContain(secret);
    const line = lines[0] as unknown as {
      requestId: string;
      workspaceId: string;
      err: { type: string; message: string; stack: string; response: { headers: Record<string, string> } };
      payload: { items: Array<Record<string, string>>; when: string };
    };
    expect(line).toMatchObject({ requestId: "req_2", workspaceId: "ws_1" });
    expect(line.err).toMatchObject({
      type: "Error",
      message: "upstream refused",
      response: { headers: { authorization: REDACTED, "content-type": "text/plain" } },
    });
    expect(line.err.stack).toContain("upstream refused");
    expect(line.payload).toEqual({ items: [{ name: "a", secretAccessKey: REDACTED }], when: "2026-12-07T00:00:00.000Z" });
    // The objects logged are the caller's: they keep their values.
    expect(err.response.headers.authorization).toBe("Bearer err-bearer");
    expect(payload.items[0]!.secretAccessKey).toBe("array-secret");
  });
});

describe("log scope", () => {
  it("log() answers the logger of the scope it runs in, with fields bound along the way", async () => {
    const { lines, stream } = capture();
    const job = createLogger({ destination: stream }).child({ jobId: "j1" });
    await runWithLogger(job, async () => {
      await Promise.resolve();
      bindLogFields({ connectionId: "conn_9", skipped: undefined });
      log().info("inside");
    });
    expect(lines[0]).toMatchObject({ jobId: "j1", connectionId: "conn_9", msg: "inside" });
    expect(lines[0]).not.toHaveProperty("skipped");
  });
});
