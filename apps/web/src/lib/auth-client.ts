"use client";
import { createAuthClient } from "better-auth/react";

/**
 * The browser's better-auth client: the console uses it for sign-in and sign-out; the second-factor
 * endpoints are called with plain fetch (modules/security/lib/auth-post.ts). /api/auth exposes only
 * what @parapet/core/identity/http-surface lists. No organization client: workspaces and members are
 * managed through /api/v1.
 */
export const authClient = createAuthClient();
