import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The lab (index.html) and the iframe route for embeds (embed.html).
    rollupOptions: { input: { main: 'index.html', embed: 'embed.html' } },
  },
});
