import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'apps/**/dist/**', 'coverage/**', 'var/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-console': 'error',
    },
  },
  {
    // The domain knows no framework, transport or database (STYLE.md §2).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@nestjs/*', 'aedes', 'aedes-*', 'mqtt', 'socket.io', 'socket.io-*', '@influxdata/*', 'better-sqlite3', 'kysely', 'prom-client', 'node:fs', 'node:net', 'node:http'], message: 'src/domain is plain TypeScript: keep frameworks and I/O out of it.' },
          { group: ['../**/broker/*', '../**/ingest/*', '../**/telemetry/*', '../**/registry/*', '../**/api/*'], message: 'src/domain must not import adapters.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'firmware-sim/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
