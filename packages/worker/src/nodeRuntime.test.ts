import { describe, expect, it } from 'vitest';
import { nodeRuntime, parseLdd } from './nodeRuntime.js';

const LDD = `	linux-vdso.so.1 (0x00007ffd)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f50)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f51)
	libextra.so.1 => /opt/extra/lib/libextra.so.1 (0x00007f52)
	/lib64/ld-linux-x86-64.so.2 (0x00007f53)
`;

const inOpt = (path: string) => `/opt/nexa${path}`;

describe("the worker's node in a sandbox", () => {
  it('reads the loader and the libraries from ldd', () => {
    expect(parseLdd(LDD)).toEqual({
      loader: '/lib64/ld-linux-x86-64.so.2',
      libraries: [
        '/lib/x86_64-linux-gnu/libstdc++.so.6',
        '/lib/x86_64-linux-gnu/libc.so.6',
        '/opt/extra/lib/libextra.so.1',
      ],
    });
  });

  it('runs as it is where the system is this machine’s', () => {
    const runtime = nodeRuntime('host', process.execPath);
    expect(runtime.argv((path) => path)).toEqual([process.execPath]);
  });

  it('in an image, runs through its own loader with each library mounted, none of the image’s', () => {
    const runtime = nodeRuntime('image', process.execPath, () => parseLdd(LDD));
    expect(runtime.paths).toEqual(
      expect.arrayContaining([
        '/lib64/ld-linux-x86-64.so.2',
        '/lib/x86_64-linux-gnu/libc.so.6',
        '/opt/extra/lib/libextra.so.1',
      ]),
    );
    const [loader, flag, libraryPath, node] = runtime.argv(inOpt);
    expect(loader).toBe('/opt/nexa/lib64/ld-linux-x86-64.so.2');
    expect(flag).toBe('--library-path');
    expect(libraryPath).toBe('/opt/nexa/lib/x86_64-linux-gnu:/opt/nexa/opt/extra/lib');
    expect(node).toMatch(/^\/opt\/nexa\/.*node/);
  });

  it('a static node needs only itself', () => {
    const runtime = nodeRuntime('image', process.execPath, () => ({ loader: undefined, libraries: [] }));
    expect(runtime.paths).toHaveLength(1);
    expect(runtime.argv(inOpt)).toEqual([inOpt(runtime.paths[0] ?? '')]);
  });
});
