import { fileURLToPath } from 'node:url';
import { defineAppConfig } from '../shared/vite-app.config.mjs';

export default defineAppConfig({ root: fileURLToPath(new URL('.', import.meta.url)), base: '/console/' });
