// `npm run bench`: every benchmark of the repo, printed as numbers (never asserted in tests).
import { main as startup } from './startup.js';

const only = process.argv[2];
if (!only || only === 'startup') await startup();
if (!only || only === 'endpoints') {
  try {
    const { main: endpoints } = (await import(new URL('./endpoints.js', import.meta.url).href)) as { main: () => Promise<void> };
    await endpoints();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    console.log('endpoints benchmark not built');
  }
}
