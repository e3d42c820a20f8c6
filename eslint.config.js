// Type-aware lint for every workspace package. Generated code and build output are ignored.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { boundaryConfigs } from "./lint/boundaries.js";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/generated/**",
      ".data/**",
      "**/next-env.d.ts",
      "e2e/test-results/**",
      "**/*.cjs",
      "**/*.mjs",
      "eslint.config.js",
      "lint/**/*.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/require-await": "off",
    },
  },
  // What may import what (docs/ARCHITECTURE.md, "Boundaries the build enforces"); proven by scripts/lib/lint-boundaries.test.ts.
  ...boundaryConfigs,
);
