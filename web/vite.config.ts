// Vite builds the app into $NEEDLEWORK_WEB_OUT (CMake passes <build>/web/dist), else web/dist. Hashed file
// names under assets/ let `needlework serve` give them an immutable cache lifetime (src/server/static_files.cpp).
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: process.env['NEEDLEWORK_WEB_OUT'] ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inlined data: URLs: the server's Content-Security-Policy is default-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
