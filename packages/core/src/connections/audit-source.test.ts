import { describe, expect, it } from "vitest";
import { checkAuditSource } from "./audit-source.ts";

describe("a connection's audit source", () => {
  it("takes an AWS organization trail: bucket, optional prefix, Regions", () => {
    expect(() =>
      checkAuditSource("aws", { orgTrail: { bucket: "acme-org-trail", prefix: "logs/org", regions: ["us-east-1", "eu-west-1"] } }),
    ).not.toThrow();
    expect(() => checkAuditSource("aws", {})).not.toThrow();
    expect(() =>
      checkAuditSource("aws", {
        orgTrail: { bucket: "acme-org-trail", regions: ["us-east-1"] },
        configAggregator: { name: "org-aggregator_1", region: "eu-west-1" },
      }),
    ).not.toThrow();
  });

  it("names the field it refuses", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ orgTrail: { bucket: "Acme_Trail", regions: ["us-east-1"] } }, /^auditSource\.orgTrail\.bucket: must be an S3 bucket name/],
      [{ orgTrail: { bucket: "acme-trail", prefix: "logs/", regions: ["us-east-1"] } }, /^auditSource\.orgTrail\.prefix: /],
      [{ orgTrail: { bucket: "acme-trail", regions: [] } }, /^auditSource\.orgTrail\.regions: /],
      [{ orgTrail: { bucket: "acme-trail", regions: ["mars-1"] } }, /^auditSource\.orgTrail\.regions\.0: must be an AWS Region/],
      [{ orgTrail: { bucket: "acme-trail", regions: ["us-east-1"], role: "x" } }, /^auditSource\.orgTrail: /],
      [
        { configAggregator: { name: "org aggregator", region: "us-east-1" } },
        /^auditSource\.configAggregator\.name: must be an AWS Config aggregator name/,
      ],
      [{ configAggregator: { name: "agg", region: "moon" } }, /^auditSource\.configAggregator\.region: must be an AWS Region/],
      [{ configAggregator: { name: "agg" } }, /^auditSource\.configAggregator\.region: /],
    ];
    for (const [value, message] of cases) expect(() => checkAuditSource("aws", value), JSON.stringify(value)).toThrow(message);
  });

  it("is empty on the clouds whose readers need nothing more than the connector's scope", () => {
    for (const cloud of ["azure", "gcp", "oci"]) {
      expect(() => checkAuditSource(cloud, {})).not.toThrow();
      expect(() => checkAuditSource(cloud, { orgTrail: { bucket: "x", regions: ["us-east-1"] } })).toThrow(
        `${cloud} connections take no audit source`,
      );
    }
  });
});
