/**
 * An organization trail's S3 log bucket, minimal: the simulator delivers the CloudTrail history (data
 * events included) as gzipped `{"Records":[...]}` files and serves S3 `ListObjectsV2` and `GetObject`
 * (path-style, REST-XML) so a reader can fetch them through @aws-sdk/client-s3.
 *
 * Sources: object key layout — "Finding your CloudTrail log files", AWS CloudTrail User Guide
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html):
 * `AWSLogs/<org-id>/<account-id>/CloudTrail/<region>/YYYY/MM/DD/<account-id>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
 * for organization trails; ListObjectsV2 request/response and errors — S3 API reference
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, max-keys ≤ 1000,
 * NoSuchBucket 404, NoSuchKey 404, InvalidArgument 400).
 */
import { createHash, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { CloudTrailRecord } from "./cloudtrail-history.ts";

interface TObject {
  body: Buffer;
  lastModified: Date;
  etag: string;
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export class TrailBucket {
  private readonly objects = new Map<string, TObject>();
  private readonly delivered = new Set<string>();

  constructor(
    readonly bucket: string,
    readonly orgId: () => string,
  ) {}

  /** Writes every record not yet delivered into log files, one per account, Region and hour. */
  deliver(records: readonly CloudTrailRecord[], now = new Date()): string[] {
    const groups = new Map<string, CloudTrailRecord[]>();
    for (const r of records) {
      if (this.delivered.has(r.eventID)) continue;
      this.delivered.add(r.eventID);
      const hour = r.eventTime.slice(0, 13); // YYYY-MM-DDTHH
      const key = `${r.recipientAccountId}|${r.awsRegion}|${hour}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const keys: string[] = [];
    for (const [k, recs] of groups) {
      const [account = "", region = "", hour = ""] = k.split("|");
      const [y, m, d] = hour.slice(0, 10).split("-");
      const stamp = `${hour.slice(0, 10).replace(/-/g, "")}T${hour.slice(11, 13)}00Z`;
      const objectKey = `AWSLogs/${this.orgId()}/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${randomBytes(8).toString("hex")}.json.gz`;
      const body = gzipSync(JSON.stringify({ Records: recs }));
      this.objects.set(objectKey, { body, lastModified: now, etag: createHash("md5").update(body).digest("hex") });
      keys.push(objectKey);
    }
    return keys;
  }

  /** Serves `GET /<bucket>?list-type=2…` and `GET /<bucket>/<key>`; false when the path is not this bucket's. */
  handle(method: string, url: URL, requestId: string, res: ServerResponse): boolean {
    const [, bucket = "", ...rest] = url.pathname.split("/");
    if (method !== "GET") return false;
    if (decodeURIComponent(bucket) !== this.bucket) {
      this.error(
        res,
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
        requestId,
        `<BucketName>${xmlEscape(bucket)}</BucketName>`,
      );
      return true;
    }
    if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) {
      this.list(url, requestId, res);
      return true;
    }
    const key = decodeURIComponent(rest.join("/"));
    const obj = this.objects.get(key);
    if (!obj) {
      this.error(res, 404, "NoSuchKey", "The specified key does not exist.", requestId, `<Key>${xmlEscape(key)}</Key>`);
      return true;
    }
    res.writeHead(200, {
      "content-type": "application/x-gzip",
      "content-length": obj.body.length,
      etag: `"${obj.etag}"`,
      "last-modified": obj.lastModified.toUTCString(),
      "x-amz-request-id": requestId,
    });
    res.end(obj.body);
    return true;
  }

  private list(url: URL, requestId: string, res: ServerResponse): void {
    const q = url.searchParams;
    if (q.get("list-type") !== "2") {
      this.error(res, 400, "InvalidArgument", "Only ListObjectsV2 (list-type=2) is served by the simulator.", requestId, "");
      return;
    }
    const maxKeysRaw = q.get("max-keys");
    const maxKeys = maxKeysRaw === null ? 1000 : Number(maxKeysRaw);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      this.error(res, 400, "InvalidArgument", "Provided max-keys not an integer or within integer range", requestId, "");
      return;
    }
    const limit = Math.min(maxKeys, 1000);
    const prefix = q.get("prefix") ?? "";
    const token = q.get("continuation-token");
    const startAfter = token !== null ? Buffer.from(token, "base64url").toString("utf8") : (q.get("start-after") ?? "");
    const delimiter = q.get("delimiter");
    // With a delimiter, keys below the next delimiter after the prefix roll up into one CommonPrefix.
    const entries = new Set<string>();
    for (const k of [...this.objects.keys()].sort()) {
      if (!k.startsWith(prefix) || k <= startAfter) continue;
      const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
      entries.add(cut >= 0 ? k.slice(0, cut + delimiter!.length) : k);
    }
    const all = [...entries];
    const page = all.slice(0, limit);
    const truncated = all.length > page.length;
    const isPrefix = (k: string) => delimiter !== null && k.endsWith(delimiter) && !this.objects.has(k);
    const common = page
      .filter(isPrefix)
      .map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`)
      .join("");
    const contents = page
      .filter((k) => !isPrefix(k))
      .map((k) => {
        const o = this.objects.get(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    // A rolled-up prefix continues after every key below it.
    const last = page[page.length - 1] ?? "";
    const resumeAt = isPrefix(last) ? `${last}\uffff` : last;
    const next = truncated ? `<NextContinuationToken>${Buffer.from(resumeAt).toString("base64url")}</NextContinuationToken>` : "";
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xmlEscape(this.bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${maxKeys}</MaxKeys>${delimiter !== null ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ""}<IsTruncated>${truncated}</IsTruncated>${contents}${common}` +
      `${token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ""}${next}</ListBucketResult>`;
    res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml), "x-amz-request-id": requestId });
    res.end(xml);
  }

  private error(res: ServerResponse, status: number, code: string, message: string, requestId: string, extra: string): void {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml), "x-amz-request-id": requestId });
    res.end(xml);
  }
}
