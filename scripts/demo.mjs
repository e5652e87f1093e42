// npm run demo: seeds a demo store in ./.till-demo (once) and opens the checkout on it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const home = process.env.TILL_HOME || `${root}.till-demo`;
const till = (args) => spawnSync(process.execPath, [`${root}bin/till.js`, '--home', home, ...args], { stdio: 'inherit' });

const seeded = till(['demo']);
if (seeded.status !== 0) process.exit(seeded.status ?? 1);
const checkout = till(['checkout']);
process.exit(checkout.status ?? 1);
