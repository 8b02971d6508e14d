// A test that prints is a test that hides something (zod scripts/fail-on-console.ts).
// Unexpected console output fails the test; log through an injected logger instead.
const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
for (const method of methods) {
   
  console[method] = (...args: unknown[]): never => {
    throw new Error(`unexpected console.${method} in a test: ${args.map(String).join(' ')}`);
  };
}
