import type { StorageApi } from './handler.ts';

/** A fetch that serves `/storage/v1/*` from the handler in process, as the one-origin server mounts it (for tests and the bench). */
export function storageFetch(api: StorageApi): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (!url.pathname.startsWith('/storage/v1')) return new Response('{"message":"not served here"}', { status: 404 });
    return api.handle(req, url.pathname.slice('/storage/v1'.length) + url.search);
  };
}
