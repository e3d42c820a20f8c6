import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "@/server/auth";

export const dynamic = "force-dynamic";

// Resolved per request so the build never needs a database or secrets.
const handler = (req: Request) => toNextJsHandler(auth()).POST(req);
const getHandler = (req: Request) => toNextJsHandler(auth()).GET(req);
export { getHandler as GET, handler as POST };
