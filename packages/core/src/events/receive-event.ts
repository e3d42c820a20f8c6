/**
 * The cloud-event webhook's reads and writes (apps/web/src/app/api/v1/events/…), as a service over
 * events/event-receipts.repository.ts: apps/web does not import repositories.
 */
export { findEventConnection, forgetEventReceipt, recordEventReceipt } from "./event-receipts.repository.ts";
