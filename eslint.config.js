import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'http', 'stream', 'url'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-mock/**', 'dist-e2e-*/**', '.e2e-data*/**', 'reports/**', '.e2e-data/**', 'bench-results/**', 'node_modules/**', 'public/mockServiceWorker.js', 'coverage/**', 'test-results/**', 'playwright-report/**', '.rewind-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs'] })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': 'error',
      // The one-way import rules of DESIGN.md.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            // Top-level folders (DESIGN.md): core ← demo, in-memory ← server ← mocks; src talks HTTP.
            { target: './core', from: ['./demo', './in-memory', './server', './mocks', './src', './e2e', './tests'], message: 'core imports nothing but core.' },
            { target: './demo', from: ['./in-memory', './server', './mocks', './src', './e2e', './tests'], message: 'demo imports only core.' },
            { target: './in-memory', from: ['./demo', './server', './mocks', './src', './e2e', './tests'], message: 'the in-memory adapters import only core.' },
            { target: './server', from: ['./in-memory', './mocks', './src', './e2e', './tests'], message: 'server imports core and demo only.' },
            { target: './mocks', from: ['./src', './e2e', './tests'], message: 'mocks serve the SPA; they never import it.' },
            { target: './src', from: ['./server', './demo', './in-memory', './e2e', './tests'], message: 'the SPA talks HTTP; it never imports the server or the demo.' },
            // Bulletproof's one-way rule inside the SPA: shared code ← features ← app.
            { target: ['./src/components', './src/lib', './src/api'], from: ['./src/features', './src/app'], message: 'shared code (components, lib, api) never imports a feature or the app shell.' },
            { target: './src/features', from: './src/app', message: 'features never import the app shell; the app composes them.' },
            { target: './src/features/history', from: './src/features', except: ['./history'], message: 'features do not import each other.' },
            { target: './src/features/targets', from: './src/features', except: ['./targets'], message: 'features do not import each other.' },
            { target: './src/features/compare', from: './src/features', except: ['./compare'], message: 'features do not import each other.' },
            { target: './src/features/rollback', from: './src/features', except: ['./rollback'], message: 'features do not import each other.' },
            { target: './src/features/approvals', from: './src/features', except: ['./approvals'], message: 'features do not import each other.' },
            { target: './src/features/audit', from: './src/features', except: ['./audit'], message: 'features do not import each other.' },
            { target: './src/features/identity', from: './src/features', except: ['./identity'], message: 'features do not import each other.' },
            { target: './src/features/appearance', from: './src/features', except: ['./appearance'], message: 'features do not import each other.' },
          ],
        },
      ],
    },
  },
  {
    // Tests may reach across layers (a core test may use the in-memory store); production code may not.
    files: ['**/*.test.{ts,tsx}', 'tests/**/*.ts', 'src/test/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': 'off' },
  },
  {
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['react', 'react-*', 'react/*', '@tanstack/*'], message: 'core is framework-free.' },
            { group: ['msw', 'msw/*'], message: 'core does not know about mocks.' },
            { group: nodeBuiltins, message: 'core runs in the browser too: no Node modules.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: ['server/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: nodeBuiltins, message: 'the API layer is fetch-standard: it runs in the browser under MSW.' }] },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer'],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main.tsx', 'src/**/*.test.{ts,tsx}', 'src/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/mocks/**', '#mocks/*', '**/server/**', '#server/*'], message: 'the SPA reaches the backend over HTTP only.' }] },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
