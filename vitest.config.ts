import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Installs Mesa's CPU Vulkan driver (lavapipe) for the WebGPU tests unless a driver is configured.
    globalSetup: ['test/wgsl/global-setup.ts'],
  },
});
