// `npm run bench`: every benchmark of the repo, printed as numbers (never asserted in tests).
import { main as endpoints } from './endpoints.js';
import { main as startup } from './startup.js';
import { main as oauth } from './oauth.js';

const only = process.argv[2];
console.log(`Node ${process.version} (${process.execPath})`);
if (!only || only === 'startup') await startup();
if (!only || only === 'endpoints') await endpoints();
if (!only || only === 'oauth') await oauth();
