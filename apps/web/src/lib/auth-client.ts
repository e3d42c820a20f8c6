"use client";
import { createAuthClient } from "better-auth/react";

/**
 * The browser's better-auth client: the console uses only sign-in and sign-out, the two endpoints
 * /api/auth exposes (see @parapet/core/identity/http-surface). No organization client: workspaces and
 * members are managed through /api/v1.
 */
export const authClient = createAuthClient();
