import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Installs Mesa's CPU Vulkan driver (lavapipe) for the WebGPU tests unless a driver is configured; builds
    // dist/ for the CLI the tests start.
    globalSetup: ['test/wgsl/global-setup.ts', 'test/helpers/build-dist.ts'],
  },
});
