import { makeUuid } from "./ids.ts";
import type { Mutation, OciStore } from "./store.ts";

/** An OCI Events message (CloudEvents 0.1 envelope, eventTypeVersion 2.0) as OCI Events delivers it. */
export interface OciEventMessage {
  eventType: string;
  cloudEventsVersion: "0.1";
  eventTypeVersion: "2.0";
  source: string;
  eventTime: string;
  contentType: "application/json";
  data: {
    compartmentId: string;
    compartmentName: string;
    resourceName: string;
    resourceId: string;
    availabilityDomain: string;
    freeformTags: Record<string, string>;
    definedTags: Record<string, Record<string, unknown>>;
    additionalDetails: Record<string, unknown>;
  };
  eventID: string;
  extensions: { compartmentId: string };
}

const SOURCES = {
  identity: { prefix: "com.oraclecloud.identitycontrolplane.", source: "IdentityControlPlane" },
  cloudguard: { prefix: "com.oraclecloud.cloudguard.", source: "CloudGuard" },
} as const;

export function toOciEvent(m: Mutation, store: OciStore, now: number): OciEventMessage {
  let compartmentName = "";
  try {
    compartmentName = store.getCompartment(m.compartmentId).name;
  } catch {
    compartmentName = "";
  }
  const s = SOURCES[m.service];
  return {
    eventType: s.prefix + m.action,
    cloudEventsVersion: "0.1",
    eventTypeVersion: "2.0",
    source: s.source,
    eventTime: new Date(now).toISOString(),
    contentType: "application/json",
    data: {
      compartmentId: m.compartmentId,
      compartmentName,
      resourceName: m.resourceName,
      resourceId: m.resourceId,
      availabilityDomain: "",
      freeformTags: { ...m.freeformTags },
      definedTags: structuredClone(m.definedTags),
      // principalId/requestOrigin come from the matching audit record; consumers use them to tell
      // their own writes from a human's out-of-band change.
      additionalDetails: {
        ...structuredClone(m.additionalDetails),
        principalId: m.actor.principalId,
        requestOrigin: m.actor.via === "api" ? "api" : "console",
      },
    },
    eventID: makeUuid(store.rand),
    extensions: { compartmentId: m.compartmentId },
  };
}
